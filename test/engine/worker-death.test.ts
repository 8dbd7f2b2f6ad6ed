/**
 * A subtask's worker thread dies (process.exit in an operator, an uncaught exception from a
 * timer, an unhandled rejection): execute() rejects with a JobFailedError coded
 * SLUICE_WORKER_DIED, and the other subtasks stop. A thread runs a slot (subtask i of every
 * vertex): a death while the thread runs a subtask's code names that subtask; a death from a
 * timer or promise left behind names every subtask the thread ran.
 */
import { describe, expect, it } from 'vitest';
import type { FailureLocation } from '../../src/index.js';
import { failures, sinks, sluice, sources } from './support/compiled.js';
import { SourceProbe, failureOf } from './support/jobs.js';

const { Pipeline, JobFailedError } = sluice;

type Failure = Error & { code?: string; cause?: unknown; location: FailureLocation };

/** Endless source (2 subtasks) -> rebalance -> the dying map (3 subtasks) -> sink. */
async function deathOf(map: typeof failures.exitingMap, probe: SourceProbe, culprit: 'known' | 'any of the thread', failAtSeq = 5000): Promise<Failure> {
  const pipeline = new Pipeline({ parallelism: 3 });
  pipeline
    .source(sources.unboundedSourceSpec('busy', probe.buffer), { name: 'endless', parallelism: 2 })
    .map(map, { name: 'fragile', options: { failAtSeq } })
    .sink(sinks.countSpec(), { name: 'count' });
  const error = (await failureOf(pipeline.execute())) as Failure;
  expect(error).toBeInstanceOf(JobFailedError);
  expect(error.code).toBe('SLUICE_WORKER_DIED');
  if (culprit === 'known') {
    expect(error.location.operator).toBe('fragile -> count');
    expect(error.location.parallelism).toBe(3);
    expect(error.message).toMatch(/^the worker thread of 'fragile -> count' subtask [012]\/3 died: /);
  } else {
    // Slots 0 and 1 also run a source subtask; slot 2 runs only 'fragile -> count'.
    expect(['endless', 'fragile -> count']).toContain(error.location.operator);
    expect(error.message).toMatch(/^the worker thread (of|running) .*'fragile -> count' subtask [012]\/3 died: /);
  }
  return error;
}

describe('worker death', () => {
  it('process.exit(3) in a map', async () => {
    const probe = new SourceProbe();
    const error = await deathOf(failures.exitingMap, probe, 'known');
    expect(error.message).toMatch(/exited with code:? 3/);
    expect(await probe.stoppedPolling()).toBe(true);
  });

  it('an uncaught exception thrown from a timer a map set', async () => {
    const probe = new SourceProbe();
    const error = await deathOf(failures.throwLaterMap, probe, 'any of the thread');
    expect(error.message).toContain('uncaught after record 5000');
    expect((error.cause as Error).message).toBe('uncaught after record 5000');
    expect(await probe.stoppedPolling()).toBe(true);
  });

  it('an unhandled promise rejection in a map', async () => {
    const probe = new SourceProbe();
    const error = await deathOf(failures.rejectLaterMap, probe, 'any of the thread');
    expect(error.message).toContain('unhandled rejection after record 5000');
    expect(await probe.stoppedPolling()).toBe(true);
  });

  it('an uncaught exception from a timer set in a process function\'s open', async () => {
    const probe = new SourceProbe();
    const pipeline = new Pipeline({ parallelism: 2 });
    pipeline
      .source(sources.unboundedSourceSpec('busy', probe.buffer), { name: 'endless' })
      .keyBy('subtask')
      .process(failures.throwLaterInOpen, { name: 'opener' })
      .sink(sinks.countSpec(), { name: 'count' });
    const error = (await failureOf(pipeline.execute())) as Failure;

    expect(error).toBeInstanceOf(JobFailedError);
    expect(error.code).toBe('SLUICE_WORKER_DIED');
    expect(error.location.operator).toBe('opener -> count');
    expect(error.message).toContain('uncaught from a timer set in open');
    expect(await probe.stoppedPolling()).toBe(true);
  });

  it('an uncaught exception in a worker whose subtask already finished, while the job still runs', async () => {
    const probe = new SourceProbe();
    const pipeline = new Pipeline({ parallelism: 1 });
    // Branch 1 ends at once and leaves a timer that throws 200 ms later in its worker thread.
    pipeline
      .source(sources.arraySourceSpec([[{ seq: 1 }, { seq: 2 }]]), { name: 'short' })
      .keyBy('seq')
      .process(failures.throwAfterEnd, { name: 'leaves-timer', options: { delayMs: 200 } })
      .sink(sinks.countSpec(), { name: 'short-count' });
    // Branch 2 runs until the job stops.
    pipeline.source(sources.unboundedSourceSpec('trickle', probe.buffer), { name: 'endless' }).sink(sinks.countSpec(), { name: 'endless-count' });
    const guard = setTimeout(() => pipeline.cancel('the late failure was not noticed'), 10_000);
    const error = (await failureOf(pipeline.execute())) as Failure;
    clearTimeout(guard);

    expect(error).toBeInstanceOf(JobFailedError);
    expect(error.code).toBe('SLUICE_WORKER_DIED');
    // At parallelism 1 every subtask shares the one thread, which keeps running: the message names them all.
    expect(error.message).toMatch(/^the worker thread running .*'leaves-timer -> short-count' subtask 0\/1.* died: /);
    expect(error.message).toContain('uncaught from a timer left behind by a finished subtask');
    expect(await probe.stoppedPolling()).toBe(true);
  });
});
