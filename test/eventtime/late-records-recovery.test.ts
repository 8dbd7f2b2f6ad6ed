/**
 * Lateness across failures. One source subtask with no bound on its disorder (watermark: the latest
 * event time minus one), so some records (the first of each batch the source reads) are late for
 * their tumbling windows; windows and late records go to two exactly-once file sinks. With aligned checkpoints the restored watermark (window operator and
 * source generator) makes every lateness decision after a restore the one a failure-free run
 * makes: the committed windows and late records equal the single-threaded reference exactly.
 * With unaligned checkpoints the watermark is held while in-flight data is replayed, so a replayed
 * record may be on time where the failure-free run found it late (never the reverse); every record
 * is still counted exactly once, in one window or as late, and every window fires once.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckpointMode } from '../../src/checkpoint/checkpoint-mode.js';
import type { InjectedFault } from '../../src/runtime/deployment.js';
import { EventLog, NO_DIFFERENCE, committedLines, multisetDifference, temporaryDirectory } from '../recovery/support/jobs.js';
import { ops, sluice } from './support/compiled.js';

const { Pipeline, generatorSource, boundedOutOfOrderness, tumblingWindows, transactionalFileSink } = sluice;

const JOB = { seed: 17, count: 30_000, keys: 4, sizeMs: 20, boundMs: 0 };
const COUNT = 'count';

const FAULTS: readonly InjectedFault[] = [
  { operator: COUNT, subtask: 0, kind: 'throw', afterRecords: 7_000, attempt: 0 },
  { operator: COUNT, subtask: 0, kind: 'exit', atCheckpoint: { phase: 'after-snapshot' }, attempt: 1 },
  { operator: 'gen', subtask: 0, kind: 'throw', atCheckpoint: { phase: 'before-snapshot' }, attempt: 2 },
];

/** The windows and late records of a failure-free run: the source reads batches of 256; the watermark follows each. */
function reference(): { windows: string[]; late: string[] } {
  const windows = new Map<string, [number, number]>();
  const late: string[] = [];
  let watermark = -Infinity;
  let maxTime = -Infinity;
  const rows = Array.from({ length: JOB.count }, (_, seq) => sluice.generatorRecord({ seed: JOB.seed, keys: JOB.keys }, seq) as [number, number, number]);
  for (let batch = 0; batch < JOB.count; batch += 256) {
    for (const [seq, key, value] of rows.slice(batch, batch + 256)) {
      const t = ops.eventTimeOf(seq);
      const start = Math.floor(t / JOB.sizeMs) * JOB.sizeMs;
      if (start + JOB.sizeMs - 1 <= watermark) {
        late.push(`${seq},${key},${value}`);
      } else {
        const id = `${key}:${start}:${start + JOB.sizeMs}`;
        const entry = windows.get(id) ?? [0, 0];
        windows.set(id, [entry[0] + 1, entry[1] + value]);
      }
      maxTime = Math.max(maxTime, t);
    }
    watermark = Math.max(watermark, maxTime - JOB.boundMs - 1);
  }
  return { windows: [...windows].map(([id, [count, sum]]) => `${id}:${count}:${sum}`), late };
}

let tmp: Awaited<ReturnType<typeof temporaryDirectory>>;
beforeAll(async () => {
  tmp = await temporaryDirectory('sluice-late-');
});
afterAll(() => tmp.remove());

async function run(mode: CheckpointMode) {
  const dir = path.join(tmp.path, mode);
  const pipeline = new Pipeline({ name: `late-${mode}`, parallelism: 1, channelBytes: 16_384 });
  const windows = pipeline
    .source(generatorSource({ seed: JOB.seed, count: JOB.count, keys: JOB.keys }), {
      name: 'gen',
      watermarks: boundedOutOfOrderness({ timestamp: ops.generatorTime, maxOutOfOrdernessMs: JOB.boundMs }),
    })
    .keyBy(1)
    .window(tumblingWindows(JOB.sizeMs))
    .aggregate(ops.slowCountAndSum, ops.windowLine, { name: COUNT });
  windows.sink(transactionalFileSink<string>({ path: path.join(dir, 'windows'), format: 'lines' }), { name: 'out' });
  windows.lateRecords().sink(transactionalFileSink<readonly number[]>({ path: path.join(dir, 'late'), format: 'lines' }), { name: 'late-out' });
  const log = new EventLog();
  const result = await pipeline.execute({
    checkpoints: { mode, intervalMs: 20, dir: path.join(dir, 'checkpoints') },
    restart: { type: 'fixed-delay', attempts: FAULTS.length + 1, delayMs: 10 },
    faults: FAULTS,
    onEvent: log.onEvent,
  });
  expect(result.restarts).toBe(FAULTS.length);
  expect(log.of('restored')).toHaveLength(FAULTS.length);
  return { windows: await committedLines(path.join(dir, 'windows')), late: await committedLines(path.join(dir, 'late')) };
}

const expected = reference();

describe('late records under failures', () => {
  it('aligned checkpoints: after three restores, exactly the windows and late records of a failure-free run', async () => {
    // The first records of each batch the source reads are behind the watermark of the batch before.
    expect(expected.late.length).toBeGreaterThan(JOB.count / 256 * 4);
    const { windows, late } = await run('aligned');
    expect(multisetDifference(windows, expected.windows)).toEqual(NO_DIFFERENCE);
    expect(multisetDifference(late, expected.late)).toEqual(NO_DIFFERENCE);
  });

  it('unaligned checkpoints: every record once, in a window or late, and every window once', async () => {
    const { windows, late } = await run('unaligned');
    const ids = windows.map((line) => line.split(':').slice(0, 3).join(':'));
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(late).size).toBe(late.length);
    const counted = windows.reduce((sum, line) => sum + Number(line.split(':')[3]), 0);
    expect(counted + late.length).toBe(JOB.count);
    // Only ever fewer late records than the failure-free run, never others.
    const expectedLate = new Set(expected.late);
    expect(late.filter((line) => !expectedLate.has(line))).toEqual([]);
  });
});
