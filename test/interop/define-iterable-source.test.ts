/**
 * defineIterableSource: an iterable created in each subtask's worker. Restarted from checkpoints
 * after failures, a source whose iterable starts at `start.position` gives every record exactly
 * once; one whose iterable starts over gives every record at least once.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventLog, temporaryDirectory } from '../recovery/support/jobs.js';
import type { InjectedFault } from '../recovery/support/jobs.js';
import { allResults, ops, sluice } from './support/compiled.js';

const COUNT = 200_000;
const FAULTS: readonly InjectedFault[] = [
  { operator: 'numbers', subtask: 1, kind: 'throw', afterRecords: 20_000, attempt: 0 },
  { operator: 'numbers', subtask: 1, kind: 'exit', afterRecords: 10_000, attempt: 1 },
];

let tmp: Awaited<ReturnType<typeof temporaryDirectory>>;
beforeAll(async () => {
  tmp = await temporaryDirectory('sluice-define-iterable-');
});
afterAll(() => tmp.remove());

function counts(values: readonly number[]): Map<number, number> {
  const seen = new Map<number, number>();
  for (const value of values) seen.set(value, (seen.get(value) ?? 0) + 1);
  return seen;
}

async function run(name: string, definition: typeof ops.resumableNumbers): Promise<{ values: number[]; events: string }> {
  const log = new EventLog();
  const pipeline = new sluice.Pipeline({ name, parallelism: 2, channelBytes: 16_384 });
  pipeline
    .source(sluice.sourceSpec(definition, { count: COUNT }), { name: 'numbers' })
    .map(ops.double)
    .sink(sluice.resultsSink<number>());
  const job = pipeline.start({
    checkpoints: { mode: 'unaligned', intervalMs: 20, dir: path.join(tmp.path, name) },
    restart: { type: 'fixed-delay', attempts: 3, delayMs: 10 },
    faults: FAULTS,
    onEvent: log.onEvent,
  });
  const values = await allResults<number>(job);
  expect((await job.done).restarts).toBe(FAULTS.length);
  // What happened, for a failure's message: restores, failures and checkpoints in order.
  const events = log.events
    .map((event) => (event.type === 'checkpoint' ? `${event.statistics.status} ${event.statistics.id}${event.statistics.finishedSubtasks ? ` (${event.statistics.finishedSubtasks} finished)` : ''}` : event.type === 'restored' ? `restored ${event.checkpointId}` : event.type))
    .join(', ');
  return { values, events };
}

describe('defineIterableSource', () => {
  it('resumed at start.position: every record exactly once after failures', async () => {
    const { values, events } = await run('resumable', ops.resumableNumbers);
    expect(values.length, events).toBe(COUNT);
    expect([...counts(values).entries()].every(([value, count]) => count === 1 && value % 2 === 0)).toBe(true);
    expect(new Set(values).size).toBe(COUNT);
  });

  it('started over whatever the position: every record at least once', async () => {
    const { values } = await run('restarting', ops.restartingNumbers);
    const seen = counts(values);
    // Each of the two subtasks yields every number: two copies at least, more for those emitted
    // again after a restart; none is lost.
    let lost = 0;
    for (let n = 0; n < COUNT; n++) if ((seen.get(n * 2) ?? 0) < 2) lost++;
    expect(lost).toBe(0);
  });
});
