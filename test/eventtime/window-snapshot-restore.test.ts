/**
 * Windows and timers in snapshots: a windowed count over a generated out-of-order stream with
 * watermarks, "failed" at random points (the operator is discarded and restored from its last
 * snapshot, input replayed from the snapshot's position, output after the snapshot discarded
 * as a transactional sink would), at the same or another parallelism, equals the failure-free
 * result. Operator-level: the multi-thread recovery tests for windows are not wired yet.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AggregateFunction, sessionWindows, slidingWindows, tumblingWindows, type WindowAssigner } from '../../src/api/windows.js';
import { keyGroupOf, keyGroupRange } from '../../src/state/key-groups.js';
import { WindowOperator, type WindowOperatorSnapshot } from '../../src/runtime/window-operator.js';
import { generatorStrategy, WatermarkGenerator } from '../../src/runtime/watermarks.js';

interface Event { user: number; t: number }
type Step = { kind: 'record'; event: Event } | { kind: 'watermark'; watermark: number };
const MAX = 32;
const count: AggregateFunction<Event, number, number> = {
  createAccumulator: () => 0,
  add: (acc) => acc + 1,
  getResult: (acc) => acc,
  merge: (a, b) => a + b,
};

/** An out-of-order stream: event times jitter up to 40 ms behind a rising clock; watermarks bounded by 50 ms. */
function generate(seed: number, n: number): Step[] {
  let s = seed >>> 0 || 1;
  const next = (): number => ((s = Math.imul(s ^ (s >>> 15), 2246822519) ^ Math.imul(s ^ (s >>> 13), 3266489917)) >>> 0) / 2 ** 32;
  const gen = new WatermarkGenerator(generatorStrategy((e: Event) => e.t, 50), 0);
  const steps: Step[] = [];
  for (let i = 0; i < n; i++) {
    const event = { user: Math.floor(next() * 7), t: i * 3 + Math.floor(next() * 40) };
    gen.onRecord(event, i);
    steps.push({ kind: 'record', event });
    const wm = gen.poll();
    if (wm !== undefined && i % 5 === 0) steps.push({ kind: 'watermark', watermark: wm });
  }
  steps.push({ kind: 'watermark', watermark: Infinity });
  return steps;
}

class Job {
  readonly subtasks: WindowOperator<Event, number, number, string>[];
  readonly outputs: string[][];
  constructor(readonly assigner: WindowAssigner, readonly parallelism: number) {
    this.outputs = Array.from({ length: parallelism }, () => []);
    this.subtasks = Array.from({ length: parallelism }, (_, i) => new WindowOperator<Event, number, number, string>({
      spec: { assigner, timestampOf: (e) => e.t, aggregate: count, allowedLatenessMs: 20, process: (k, w, n) => [`${k}[${w.start},${w.end})=${n}`] },
      keyOf: (e) => e.user,
      range: keyGroupRange(i, parallelism, MAX),
      maxParallelism: MAX,
      output: { emit: (r) => this.outputs[i]!.push(r), late: () => undefined },
    }));
  }

  run(step: Step): void {
    if (step.kind === 'record') {
      const owner = Math.floor((keyGroupOf(step.event.user, MAX) * this.parallelism) / MAX);
      this.subtasks[owner]!.processRecord(step.event);
    } else {
      // Bounded steps, as between announcement polls in a subtask.
      for (const op of this.subtasks) for (let more = op.advanceWatermark(step.watermark, 3); more; more = op.fireDue(3));
    }
  }

  /** A snapshot as storage would hold it: serialized, so later mutation cannot leak in. */
  snapshot(): WindowOperatorSnapshot<number>[] {
    return this.subtasks.map((op) => structuredClone(op.snapshot()));
  }

  restore(snapshots: WindowOperatorSnapshot<number>[]): void {
    for (const op of this.subtasks) op.restore(snapshots);
  }

  committed(): string[] {
    return this.outputs.flat().sort();
  }
}

function failureFree(assigner: WindowAssigner, steps: Step[]): string[] {
  const job = new Job(assigner, 1);
  for (const s of steps) job.run(s);
  return job.committed();
}

/** Runs with snapshots at `checkpointAt` positions and failures at `failAt`; restores at parallelisms cycling through `parallelisms`. */
function withFailures(assigner: WindowAssigner, steps: Step[], checkpointEvery: number, failAt: number[], parallelisms: number[]): string[] {
  let job = new Job(assigner, parallelisms[0]!);
  let committed: string[] = [];
  let checkpoint = { position: 0, state: job.snapshot(), committed: [] as string[] };
  const failures = new Set(failAt);
  let restarts = 0;
  for (let i = 0; i < steps.length; ) {
    if (failures.delete(i)) {
      restarts++;
      job = new Job(assigner, parallelisms[restarts % parallelisms.length]!);
      job.restore(checkpoint.state);
      committed = [...checkpoint.committed];
      i = checkpoint.position;
      continue;
    }
    job.run(steps[i]!);
    i++;
    if (i % checkpointEvery === 0) {
      committed = [...checkpoint.committed, ...job.committed()];
      checkpoint = { position: i, state: job.snapshot(), committed };
      job.outputs.forEach((o) => (o.length = 0));
    }
  }
  return [...committed, ...job.committed()].sort();
}

describe.each([
  ['tumbling', tumblingWindows(25)],
  ['sliding', slidingWindows(30, 10)],
  ['session', sessionWindows(15)],
] as const)('%s windows under failures', (_name, assigner) => {
  it('a fixed run with three failures equals the failure-free result', () => {
    const steps = generate(7, 600);
    const expected = failureFree(assigner, steps);
    expect(expected.length).toBeGreaterThan(20);
    expect(withFailures(assigner, steps, 37, [50, 200, 201, 500], [1])).toEqual(expected);
  });

  it('property: random checkpoint intervals and failure points, restored at changing parallelism', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 5, max: 80 }),
        fc.uniqueArray(fc.integer({ min: 0, max: 400 }), { maxLength: 4 }),
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 }),
        (seed, every, failAt, parallelisms) => {
          const steps = generate(seed, 300);
          expect(withFailures(assigner, steps, every, failAt, parallelisms)).toEqual(failureFree(assigner, steps));
        },
      ),
      { numRuns: 40 },
    );
  });
});
