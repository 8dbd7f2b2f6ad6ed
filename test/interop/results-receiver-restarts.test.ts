/**
 * The main-thread end of a results sink across restarts, driven frame by frame in this thread.
 * A sink subtask that ends without a marker of the latest completed checkpoint had finished
 * before it, so all its records are final, but only for a checkpoint completed after the
 * restart: a subtask that finishes in a restarted attempt before any of that attempt's
 * checkpoints completed may run again after another failure, and its records must then be
 * dropped with the rest of the attempt's, not handed out twice.
 */
import { describe, expect, it } from 'vitest';
import type { CheckpointStatistics } from '../../src/checkpoint/checkpoint-stats.js';
import { ResultsReceiver } from '../../src/connectors/results-receiver.js';
import type { JobEvent, JobResult } from '../../src/runtime/job-result.js';
import { MainThreadChannelWriter, allocateMainThreadChannel } from '../../src/runtime/main-thread-channel.js';

function completed(id: number): JobEvent {
  return { type: 'checkpoint', statistics: { id, kind: 'checkpoint', status: 'completed' } as CheckpointStatistics };
}

function failed(attempt: number): JobEvent {
  return { type: 'failed', attempt, error: new Error(`attempt ${attempt} failed`) };
}

function setup() {
  const channels = [allocateMainThreadChannel(64 * 1024), allocateMainThreadChannel(64 * 1024)];
  const run = { operator: 'results', parallelism: 2, checkpointing: true, signal: new AbortController().signal, fail() {}, cancel() {} };
  const receiver = new ResultsReceiver(channels, run, 1_000_000);
  const writers = channels.map((channel) => new MainThreadChannelWriter(channel.ring, channel.mainBell));
  const write = (subtask: number, ...records: string[]) => {
    for (const record of records) writers[subtask]!.add(record, 0);
    writers[subtask]!.flush();
  };
  return { receiver, writers, write };
}

async function allOf(receiver: ResultsReceiver): Promise<unknown[]> {
  const records: unknown[] = [];
  for await (const record of receiver.iterable()) records.push(record);
  return records;
}

describe('a results sink across restarts', () => {
  it('hands out each record once when a subtask finished in an attempt that failed before its checkpoints completed', async () => {
    const { receiver, writers, write } = setup();
    // Attempt 0: checkpoint 1 completes; a3 and a4 come after it, then the attempt fails.
    write(0, 'a0', 'a1', 'a2');
    write(1, 'b0');
    await Promise.all([writers[0]!.mark(1), writers[1]!.mark(1)]);
    receiver.onEvent(completed(1));
    write(0, 'a3', 'a4');
    receiver.onEvent(failed(0));

    // Attempt 1, restored from checkpoint 1: subtask 0 emits a3 and a4 again and finishes before
    // any checkpoint of this attempt; then the attempt fails (subtask 1), and none completed.
    write(0, 'a3', 'a4');
    await writers[0]!.end();
    receiver.onEvent(failed(1));

    // Attempt 2, restored from checkpoint 1 again: both subtasks run to their end, the job finishes.
    write(0, 'a3', 'a4');
    await writers[0]!.end();
    write(1, 'b1');
    await writers[1]!.end();
    receiver.onEnd({ kind: 'finished', result: {} as JobResult });

    expect((await allOf(receiver)).sort()).toEqual(['a0', 'a1', 'a2', 'a3', 'a4', 'b0', 'b1']);
    await receiver.stopped;
  });

  it('hands out a finished subtask\'s records once a checkpoint after the restart records it finished', async () => {
    const { receiver, writers, write } = setup();
    write(0, 'a0');
    write(1, 'b0');
    await Promise.all([writers[0]!.mark(1), writers[1]!.mark(1)]);
    receiver.onEvent(completed(1));
    receiver.onEvent(failed(0));

    // Attempt 1: subtask 0 finishes; checkpoint 2 completes with it finished (no marker), and
    // subtask 1 took it. Then the attempt fails: checkpoint 2 is the restore point, subtask 0 does
    // not run again, so its records are final.
    write(0, 'a1');
    await writers[0]!.end();
    write(1, 'b1');
    await writers[1]!.mark(2);
    receiver.onEvent(completed(2));
    receiver.onEvent(failed(1));

    // Attempt 2, from checkpoint 2: only subtask 1 runs.
    write(1, 'b2');
    await writers[1]!.end();
    receiver.onEnd({ kind: 'finished', result: {} as JobResult });

    expect((await allOf(receiver)).sort()).toEqual(['a0', 'a1', 'b0', 'b1', 'b2']);
    await receiver.stopped;
  });
});
