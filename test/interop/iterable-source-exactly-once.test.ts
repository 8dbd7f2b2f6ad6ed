/**
 * An async generator of the main thread feeds a checkpointed keyed job that fails five times, in
 * the source's own subtask too: each restart resumes the generator's records at the restored
 * checkpoint's position (the main thread kept the records since the latest completed
 * checkpoint), so the job's output, taken with job.results(), is exactly that of a failure-free
 * run, every line once. The generator is pulled only once.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ops, sluice } from '../recovery/support/compiled.js';
import { BACKPRESSURED, EventLog, NO_DIFFERENCE, TALLY, expectedLines, multisetDifference, temporaryDirectory } from '../recovery/support/jobs.js';
import type { InjectedFault } from '../recovery/support/jobs.js';

const SHAPE = { ...BACKPRESSURED, count: 40_000 };
const SOURCE = 'events';

const FAULTS: readonly InjectedFault[] = [
  { operator: TALLY, subtask: 1, kind: 'throw', afterRecords: 6_000, attempt: 0 },
  { operator: SOURCE, subtask: 0, kind: 'throw', afterRecords: 5_000, attempt: 1 },
  { operator: SOURCE, subtask: 0, kind: 'exit', atCheckpoint: { phase: 'after-snapshot' }, attempt: 2 },
  { operator: TALLY, subtask: 0, kind: 'exit', atCheckpoint: { phase: 'after-ack' }, attempt: 3 },
  { operator: SOURCE, subtask: 0, kind: 'throw', atCheckpoint: { phase: 'before-snapshot' }, attempt: 4 },
];

let tmp: Awaited<ReturnType<typeof temporaryDirectory>>;
beforeAll(async () => {
  tmp = await temporaryDirectory('sluice-iterable-');
});
afterAll(() => tmp.remove());

describe.each(['aligned', 'unaligned'] as const)('an iterable source with %s checkpoints', (mode) => {
  it('is read once and gives exactly the output of a failure-free run after five failures', async () => {
    let pulled = 0;
    async function* events() {
      for (let seq = 0; seq < SHAPE.count; seq++) {
        pulled++;
        yield sluice.generatorRecord({ seed: SHAPE.seed, keys: SHAPE.keys }, seq) as readonly number[];
      }
    }
    const pipeline = new sluice.Pipeline({ name: `iterable-${mode}`, parallelism: 2, channelBytes: SHAPE.channelBytes });
    pipeline
      .source(sluice.iterableSource(events()), { name: SOURCE })
      .keyBy(1)
      .process<string>(ops.tally, { name: TALLY, options: { costMicros: SHAPE.costMicros, perRecord: true } })
      .sink(sluice.resultsSink<string>());
    const log = new EventLog();
    const job = pipeline.start({
      checkpoints: { mode, intervalMs: 30, dir: path.join(tmp.path, mode) },
      restart: { type: 'fixed-delay', attempts: FAULTS.length + 1, delayMs: 10 },
      faults: FAULTS,
      onEvent: log.onEvent,
    });
    const lines: string[] = [];
    for await (const line of job.results<string>()) lines.push(line);
    const result = await job.done;

    expect(result.restarts).toBe(FAULTS.length);
    // Every restart restored a checkpoint, none started over.
    expect(log.of('restored')).toHaveLength(FAULTS.length);
    expect(pulled).toBe(SHAPE.count);
    expect(multisetDifference(lines, expectedLines(SHAPE))).toEqual(NO_DIFFERENCE);
  });
});
