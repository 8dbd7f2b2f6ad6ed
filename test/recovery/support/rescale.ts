/**
 * The rescaling harness: a job with one kind of edge (hash, rebalance, forward, broadcast,
 * union) whose consumer is slower than its sources, so its small channels stay full. Run 1 at
 * parallelism `from` takes checkpoints and fails on purpose once checkpoint 2 is acknowledged
 * (so checkpoint 1 has completed, under backpressure); run 2 restores the latest checkpoint at
 * parallelism `to` and runs to the end. Both write through the exactly-once file sink into
 * the same directory, so what they committed together must be exactly the output of one
 * failure-free run, computed directly from the generator's definition. The keyed operator of
 * the hash job also checks that, per key, each source split's records arrive in order.
 */
import path from 'node:path';
import fc from 'fast-check';
import { expect } from 'vitest';
import type { CheckpointMode } from '../../../src/checkpoint/checkpoint-mode.js';
import type * as RescaleOps from '../../fixtures/checkpoint/rescale-ops.js';
import { loadCompiled } from '../../support/compiled.js';
import { ops, sluice, storage } from './compiled.js';
import { EventLog, NO_DIFFERENCE, committedLines, failureOf, multisetDifference, transactionalLines } from './jobs.js';

const rescaleOps = await loadCompiled<typeof RescaleOps>('test/fixtures/checkpoint/rescale-ops.js');

/** The kinds of edge the harness covers. */
export type EdgeKind = 'hash' | 'rebalance' | 'forward' | 'broadcast' | 'union';

/** Records all sources emit together. */
const COUNT = 12_000;
const KEYS = 48;
const SEEDS = [7, 11] as const;
/** Per record, per unit of parallelism: the job's total capacity is the same at every parallelism. */
const COST_MICROS = 40;
/** The smallest ring: backpressure builds at once and an aligned barrier waits behind little. */
const CHANNEL_BYTES = 4096;
/** The operator that fails in run 1. */
const WORK = 'work';

/** A generator's records, `[seq, key, value]`. */
function records(seed: number, count: number): Array<[number, number, number]> {
  return Array.from({ length: count }, (_, seq) => sluice.generatorRecord({ seed, keys: KEYS }, seq) as [number, number, number]);
}

/** Builds the job of `kind` at `parallelism`; its sinks write into `outputs` (two for forward). */
function buildJob(kind: EdgeKind, parallelism: number, outputs: readonly string[], splits: number) {
  const pipeline = new sluice.Pipeline({ name: `rescale-${kind}`, parallelism, channelBytes: CHANNEL_BYTES });
  const generator = (name: string, seed: number, count: number) =>
    pipeline.source(sluice.generatorSource({ seed, count, keys: KEYS }), { name });
  // Broadcast: every consumer subtask takes every record, so its cost does not shrink with parallelism.
  const costMicros = kind === 'broadcast' ? COST_MICROS : COST_MICROS * parallelism;
  const sink = (index: number) => transactionalLines(outputs[index]!);
  switch (kind) {
    case 'hash':
      generator('gen', SEEDS[0], COUNT)
        .keyBy(1)
        .process<string>(rescaleOps.orderedTally, { name: WORK, options: { costMicros, splits } })
        .sink(sink(0), { name: 'out' });
      break;
    case 'union':
      generator('gen', SEEDS[0], COUNT / 2)
        .union(generator('gen2', SEEDS[1], COUNT / 2))
        .keyBy(1)
        .process<string>(ops.tally, { name: WORK, options: { costMicros, perRecord: true } })
        .sink(sink(0), { name: 'out' });
      break;
    case 'rebalance':
      generator('gen', SEEDS[0], COUNT).rebalance().map<string>(rescaleOps.slowLine, { name: WORK, options: { costMicros } }).sink(sink(0), { name: 'out' });
      break;
    case 'broadcast':
      generator('gen', SEEDS[0], COUNT).broadcast().map<string>(rescaleOps.slowLine, { name: WORK, options: { costMicros } }).sink(sink(0), { name: 'out' });
      break;
    case 'forward': {
      // Two consumers of one source: neither chains onto it, so both edges are forward channels.
      const source = generator('gen', SEEDS[0], COUNT);
      source.map<string>(rescaleOps.slowLine, { name: WORK, options: { costMicros } }).sink(sink(0), { name: 'out' });
      source.map<string>(rescaleOps.slowLine, { name: 'work2', options: { costMicros } }).sink(sink(1), { name: 'out2' });
      break;
    }
  }
  return pipeline;
}

/** Lines of the keyed `tally` over `input`: per record, then per key totals. */
function tallyLines(input: ReadonlyArray<readonly [number, number, number]>): string[] {
  const totals = new Map<number, [number, number, number]>();
  const lines: string[] = [];
  for (const [seq, key, value] of input) {
    lines.push(`${key}:${seq}:${value * 2}`);
    const entry = totals.get(key) ?? [0, 0, 0];
    totals.set(key, [entry[0] + 1, entry[1] + value, entry[2] + seq]);
  }
  for (const [key, [count, valueSum, seqSum]] of totals) lines.push(`total:${key}:${count}:${valueSum}:${seqSum}`);
  return lines;
}

/** Per output, the lines one failure-free run commits (broadcast is checked apart: it depends on both parallelisms). */
function expectedOutputs(kind: EdgeKind): string[][] {
  const lines = records(SEEDS[0], COUNT).map(([seq, , value]) => `${seq}:${value}`);
  switch (kind) {
    case 'hash':
      return [tallyLines(records(SEEDS[0], COUNT))];
    case 'union':
      return [tallyLines([...records(SEEDS[0], COUNT / 2), ...records(SEEDS[1], COUNT / 2)])];
    case 'rebalance':
    case 'broadcast':
      return [lines];
    case 'forward':
      return [lines, lines];
  }
}

/**
 * Broadcast output: a record the sources emitted before the checkpoint was processed by each of
 * the `from` old consumers exactly once (before the checkpoint, or replayed from in-flight data
 * on behalf of its old consumer), a later one by each of the `to` new consumers. The records
 * emitted before the checkpoint are, per old source subtask `i` (sequence numbers `≡ i mod
 * from`), a prefix of its sequence: so each line appears `from` or `to` times, and per old
 * source subtask all `from`s come first.
 */
function checkBroadcast(committed: readonly string[], from: number, to: number): void {
  const expected = records(SEEDS[0], COUNT).map(([seq, , value]) => `${seq}:${value}`);
  const counts = new Map<string, number>();
  for (const line of committed) counts.set(line, (counts.get(line) ?? 0) + 1);
  const known = new Set(expected);
  expect([...counts.keys()].filter((line) => !known.has(line))).toEqual([]);
  for (let subtask = 0; subtask < from; subtask++) {
    const sequence: number[] = [];
    for (let seq = subtask; seq < COUNT; seq += from) sequence.push(counts.get(expected[seq]!) ?? 0);
    const before = sequence.findIndex((count) => count !== from);
    const rest = before === -1 ? [] : sequence.slice(before);
    expect(rest.filter((count) => count !== to), `old source subtask ${subtask}: copies per record after the checkpoint`).toEqual([]);
  }
}

/** Runs the two runs of one case in `root` and checks what they committed. */
export async function runRescaleCase(root: string, kind: EdgeKind, mode: CheckpointMode, from: number, to: number): Promise<void> {
  await runRescaleStages(root, kind, mode, [from, to]);
}

/**
 * Runs one run per parallelism of `stages`, each but the last failing on purpose once the second
 * checkpoint it took is acknowledged (so its first completed), each after the first restoring
 * the latest checkpoint; checks what they all committed. Broadcast takes two stages only.
 */
export async function runRescaleStages(root: string, kind: EdgeKind, mode: CheckpointMode, stages: readonly number[]): Promise<void> {
  const dir = path.join(root, `${kind}-${mode}-${stages.join('-')}-${Date.now()}`);
  const outputs = [path.join(dir, 'out'), path.join(dir, 'out2')];
  const checkpoints = { mode, intervalMs: 10, dir: path.join(dir, 'checkpoints') };
  const jobCheckpoints = new storage.CheckpointStorage({ checkpointDir: checkpoints.dir, job: `rescale-${kind}` });
  const splits = stages[0]!;

  let previous: EventLog | undefined;
  for (const [stage, parallelism] of stages.entries()) {
    const log = new EventLog();
    const last = stage === stages.length - 1;
    // Checkpoint ids continue after every checkpoint directory of the job.
    const firstId = ((await jobCheckpoints.highestCheckpointId()) ?? 0) + 1;
    const run = buildJob(kind, parallelism, outputs, splits).execute({
      checkpoints,
      ...(stage > 0 ? { restore: 'latest' as const } : {}),
      ...(last
        ? {}
        : {
            restart: { type: 'none' as const },
            faults: [{ operator: WORK, subtask: 0, kind: 'throw' as const, atCheckpoint: { phase: 'after-ack' as const, checkpointId: firstId + 1 } }],
          }),
      onEvent: log.onEvent,
    });
    if (last) await run;
    else expect((await failureOf(run)).message).toContain('injected');
    if (previous) {
      const [restored] = log.of('restored');
      expect(restored, `run ${stage + 1} restored a checkpoint of run ${stage}`).toBeDefined();
      if (mode === 'unaligned' && stage === 1) {
        const stats = previous.of('checkpoint').find((event) => event.statistics.id === restored!.checkpointId)!.statistics;
        expect(stats.persistedInFlightBytes, 'the restored checkpoint holds in-flight data').toBeGreaterThan(0);
      }
    }
    previous = log;
  }

  if (kind === 'broadcast') {
    checkBroadcast(await committedLines(outputs[0]!), stages[0]!, stages[1]!);
    return;
  }
  const expected = expectedOutputs(kind);
  for (const [index, lines] of expected.entries()) {
    expect(multisetDifference(await committedLines(outputs[index]!), lines), `output ${index}, parallelism ${stages.join(' -> ')}`).toEqual(NO_DIFFERENCE);
  }
}

/** Parallelism pairs `(from, to)`, `from ≠ to`, up to 4; the first runs go up once and down once. */
export const PARALLELISM_PAIRS = fc
  .tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }))
  .filter(([from, to]) => from !== to);

/** fast-check settings: one case up, one down, one drawn (each case is two job runs). */
export const PAIR_RUNS = { numRuns: 3, examples: [[[1, 3]], [[4, 2]]] as Array<[[number, number]]> };
