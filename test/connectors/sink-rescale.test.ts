/**
 * Sinks restored at another parallelism: each old subtask's state is handed to exactly one new
 * subtask (old `i` to new `i % q`, as the runtime does), which commits the old subtask's
 * pre-committed transactions and discards its other uncommitted files. The exactly-once file
 * sink then holds each record written before the checkpoint once, plus what the new subtasks
 * wrote, and no part file is overwritten; the collect and discard sinks merge their states.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SinkSpec } from '../../src/api/specs.js';
import { collectSink, discardSink, transactionalFileSink } from '../../src/connectors/index.js';
import { createSink, sinkContext, temporaryDirectory } from './support/harness.js';

/** The states of `q` new subtasks from the states of the old ones, as the runtime hands them over. */
function handOver<T>(spec: SinkSpec<T>, states: readonly unknown[], q: number): unknown[] {
  return Array.from({ length: q }, (_, subtask) => {
    const previous = states.map((state, old) => ({ subtask: old, state })).filter(({ subtask: old }) => old % q === subtask);
    return createSink(spec).rescaleState!(sinkContext(subtask, q), previous, states.length);
  });
}

async function committed(dir: string): Promise<{ lines: string[]; inProgress: string[] }> {
  const lines: string[] = [];
  const inProgress: string[] = [];
  for (const name of (await readdir(dir)).sort()) {
    if (name.endsWith('.inprogress')) inProgress.push(name);
    if (!name.startsWith('part-')) continue;
    for (const line of (await readFile(join(dir, name), 'utf8')).split('\n')) if (line) lines.push(line);
  }
  return { lines, inProgress };
}

describe('sinks restored at another parallelism', () => {
  let directory: Awaited<ReturnType<typeof temporaryDirectory>>;
  let run = 0;
  beforeAll(async () => {
    directory = await temporaryDirectory();
  });
  afterAll(() => directory.remove());

  it('exactly-once file sink: old transactions committed or discarded exactly once, none overwritten', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), async (p, q, r) => {
        const dir = join(directory.path, `tx-${run++}`);
        const spec = transactionalFileSink<string>({ path: dir, format: 'lines' });
        const expected: string[] = [];
        // Stage 1 at p: a completed checkpoint 1, then checkpoint 2 pre-committed but never completed.
        let states: unknown[] = [];
        for (let subtask = 0; subtask < p; subtask++) {
          const sink = createSink(spec);
          await sink.open?.(sinkContext(subtask, p));
          sink.write(`a-${subtask}`, 0);
          await sink.snapshotState!(1);
          sink.write(`b-${subtask}`, 0);
          states.push(await sink.snapshotState!(1));
          expected.push(`a-${subtask}`, `b-${subtask}`);
          sink.write(`lost-${subtask}`, 0);
          await sink.snapshotState!(2);
          sink.write(`lost-too-${subtask}`, 0);
          await sink.close?.();
        }
        // Stage 2 at q restores checkpoint 1, writes, checkpoint 3 completes for half of the subtasks only.
        states = handOver(spec, states, q).map((state, subtask) => ({ state, subtask }));
        const stage2: unknown[] = [];
        for (const { state, subtask } of states as Array<{ state: unknown; subtask: number }>) {
          const sink = createSink(spec);
          await sink.open?.(sinkContext(subtask, q), state);
          sink.write(`c-${subtask}`, 0);
          stage2.push(await sink.snapshotState!(3));
          expected.push(`c-${subtask}`);
          if (subtask % 2 === 0) await sink.notifyCheckpointComplete?.(3);
          sink.write(`lost-again-${subtask}`, 0);
          await sink.close?.();
        }
        // Stage 3 at r restores checkpoint 3 and finishes.
        for (const [subtask, state] of handOver(spec, stage2, r).entries()) {
          const sink = createSink(spec);
          await sink.open?.(sinkContext(subtask, r), state);
          sink.write(`d-${subtask}`, 0);
          expected.push(`d-${subtask}`);
          await sink.finish?.();
          await sink.close?.();
        }
        const { lines, inProgress } = await committed(dir);
        expect(lines.sort()).toEqual(expected.sort());
        expect(inProgress).toEqual([]);
      }),
      { numRuns: 40 },
    );
  });

  it('collect sink: the new subtasks hold every record collected before, once', async () => {
    const spec = collectSink<number>();
    const states = [[1, 2], [3], [4, 5, 6]];
    const merged = handOver(spec, states, 2) as number[][];
    expect(merged).toEqual([[1, 2, 4, 5, 6], [3]]);
    expect(handOver(spec, merged, 3)).toEqual([[1, 2, 4, 5, 6], [3], []]);
  });

  it('discard sink: record counts add up', async () => {
    const spec = discardSink();
    const states: unknown[] = [];
    for (let subtask = 0; subtask < 3; subtask++) {
      const sink = createSink(spec);
      await sink.open?.(sinkContext(subtask, 3));
      for (let i = 0; i <= subtask; i++) sink.write(i, 0);
      states.push(await sink.snapshotState!(1));
    }
    const [merged] = handOver(spec, states, 1) as Array<{ records: number }>;
    expect(merged!.records).toBe(6);
  });
});
