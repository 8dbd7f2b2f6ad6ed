/**
 * A slow `for await` consumer of job.results() backpressures the job instead of letting records
 * pile up in memory: the source (an async generator of the main thread) is pulled only as fast as
 * the loop takes records, give or take what the rings and buffers between them hold. Measured as
 * records in flight (pulled from the generator and not yet taken by the loop), not as time.
 *
 * With checkpoints the main thread also holds the records of the checkpoint in progress (they are
 * delivered once it completes): those depend on the checkpoint interval and the job's rate, not on
 * the consumer. A consumer that stops still stops the job.
 */
import path from 'node:path';
import { setTimeout as sleep, setImmediate as yieldToLoop } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sluice } from '../recovery/support/compiled.js';
import { temporaryDirectory } from '../recovery/support/jobs.js';

/** 16 KiB rings hold about 1,300 number records each; the other buffers add a few thousand more. */
const BOUND = 12_000;

let tmp: Awaited<ReturnType<typeof temporaryDirectory>>;
beforeAll(async () => {
  tmp = await temporaryDirectory('sluice-results-backpressure-');
});
afterAll(() => tmp.remove());

/**
 * A job from a counting generator to a results sink, with small rings; `pulled` counts what the
 * generator gave. With `pauseEvery`, the generator waits a millisecond timer every that many
 * records (a paced input, so that checkpoints complete while it runs).
 */
function countingJob(name: string, count: number, pauseEvery = 0) {
  const counters = { pulled: 0, taken: 0, maxInFlight: 0 };
  async function* numbers() {
    for (let i = 0; i < count; i++) {
      if (pauseEvery > 0 && i % pauseEvery === 0) await sleep(1);
      counters.pulled++;
      counters.maxInFlight = Math.max(counters.maxInFlight, counters.pulled - counters.taken);
      yield i;
    }
  }
  const pipeline = new sluice.Pipeline({ name, parallelism: 1, channelBytes: 16_384 });
  pipeline
    .source(sluice.iterableSource(numbers(), { channelBytes: 16_384 }))
    .sink(sluice.resultsSink<number>({ channelBytes: 16_384, highWaterMark: 256 }));
  return { pipeline, counters };
}

/** Resolves once `read()` gave the same value `times` polls in a row. */
async function settled(read: () => number, times = 5): Promise<number> {
  let last = read();
  let same = 0;
  while (same < times) {
    await sleep(20);
    const now = read();
    same = now === last ? same + 1 : 0;
    last = now;
  }
  return last;
}

describe('a slow consumer of job.results()', () => {
  it('keeps the records in flight within what the buffers hold', async () => {
    const count = 100_000;
    const { pipeline, counters } = countingJob('slow-consumer', count);
    const job = pipeline.start();
    let sum = 0;
    for await (const value of job.results<number>()) {
      counters.taken++;
      sum += value;
      // Slower than the job: it yields to the event loop every few records.
      if (counters.taken % 4 === 0) await yieldToLoop();
    }
    await job.done;
    expect(counters.taken).toBe(count);
    expect(sum).toBe((count * (count - 1)) / 2);
    // The buffers filled (the job ran ahead), and no further.
    expect(counters.maxInFlight).toBeGreaterThan(256);
    expect(counters.maxInFlight).toBeLessThan(BOUND);
  });

  it.each(['aligned', 'unaligned'] as const)('that stops, stops a job with %s checkpoints until it goes on', async (mode) => {
    const count = 200_000;
    const { pipeline, counters } = countingJob(`stopped-consumer-${mode}`, count, 500);
    let completedCheckpoints = 0;
    const job = pipeline.start({
      checkpoints: { mode, intervalMs: 20, dir: path.join(tmp.path, mode) },
      onEvent: (event) => {
        if (event.type === 'checkpoint' && event.statistics.status === 'completed') completedCheckpoints++;
      },
    });
    let sum = 0;
    let pulledWhileStopped = 0;
    let stopped = false;
    for await (const value of job.results<number>()) {
      counters.taken++;
      sum += value;
      // Once checkpoints complete regularly, the loop stops taking records for a while.
      if (!stopped && completedCheckpoints >= 3) {
        stopped = true;
        pulledWhileStopped = await settled(() => counters.pulled);
      }
    }
    await job.done;
    // The job stood still, far from the end of its input, while the loop did not take records.
    expect(stopped).toBe(true);
    expect(pulledWhileStopped).toBeLessThan(count / 2);
    expect(counters.taken).toBe(count);
    expect(sum).toBe((count * (count - 1)) / 2);
  });
});
