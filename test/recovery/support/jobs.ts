/**
 * The job every recovery test runs, its expected output computed directly, and helpers to read
 * what a job committed and what happened to its checkpoints.
 *
 * The job: generator `[seq, key, value]` (parallelism 2) -> hash partition by key -> `tally`, a
 * keyed process with value state (parallelism 2, optionally slow, so the channels between the
 * two fill up) -> a sink chained to it. Every line the job emits depends only on one record or on
 * one key's totals, so the multiset of its output is the same in every run, whatever the
 * interleaving of channels: a record lost or applied twice shows up as a missing or extra line,
 * or as a wrong total.
 */
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import path from 'node:path';
import type { JobResult, Pipeline as PipelineType, SinkSpec } from '../../../src/index.js';
import type { InjectedFault } from '../../../src/runtime/deployment.js';
import type { JobEvent } from '../../../src/runtime/job-result.js';
import type { CheckpointStatistics } from '../../../src/checkpoint/checkpoint-stats.js';
import type { CheckpointOptions } from '../../../src/checkpoint/checkpoint-config.js';
import { ops, sluice, storage } from './compiled.js';

export type { InjectedFault };

/** Operator names of the job, as faults and statistics name them. */
export const SOURCE = 'gen';
export const TALLY = 'tally';
export const SINK = 'out';

/** What the job processes and how slowly. */
export interface JobShape {
  /** Pipeline (and checkpoint directory) name. */
  readonly name: string;
  /** Generator records, all subtasks together. */
  readonly count: number;
  readonly keys: number;
  readonly seed: number;
  /** Busy-wait per record in `tally`, in microseconds: makes it slower than the source. */
  readonly costMicros: number;
  /** Emit one line per record (otherwise only the per-key totals at the end). */
  readonly perRecord: boolean;
  /** Channel ring size: small, so that backpressure builds quickly. */
  readonly channelBytes: number;
  /** Subtasks per operator, and so threads (slots); 2 when not given. */
  readonly parallelism?: number;
  /** Buffer debloating target (the job's default when not given). */
  readonly debloatTargetMs?: number | 'off';
  /** A slot sharing group for the sink alone (it then runs on threads of its own, not chained to `tally`). */
  readonly sinkGroup?: string;
}

/** A backpressured job of modest size: 80k records, a slow keyed operator, 16 KiB channels. */
export const BACKPRESSURED: JobShape = {
  name: 'recovery',
  count: 80_000,
  keys: 64,
  seed: 7,
  costMicros: 10,
  perRecord: true,
  channelBytes: 16_384,
};

/** Builds the job with `sink` at its end. */
export function buildPipeline(shape: JobShape, sink: SinkSpec<string>): PipelineType {
  const pipeline = new sluice.Pipeline({
    name: shape.name,
    parallelism: shape.parallelism ?? 2,
    channelBytes: shape.channelBytes,
    ...(shape.debloatTargetMs === undefined ? {} : { debloatTargetMs: shape.debloatTargetMs }),
  });
  pipeline
    .source(sluice.generatorSource({ seed: shape.seed, count: shape.count, keys: shape.keys }), { name: SOURCE })
    .keyBy(1)
    .process<string>(ops.tally, { name: TALLY, options: { costMicros: shape.costMicros, perRecord: shape.perRecord } })
    .sink(sink, { name: SINK, ...(shape.sinkGroup === undefined ? {} : { slotSharingGroup: shape.sinkGroup }) });
  return pipeline;
}

/** The exactly-once file sink writing line records into `dir`. */
export function transactionalLines(dir: string): SinkSpec<string> {
  return sluice.transactionalFileSink<string>({ path: dir, format: 'lines' });
}

/** The per-key total lines the job emits at its end, computed directly from the generator's definition. */
export function expectedTotals(shape: JobShape): string[] {
  const totals = new Map<number, [number, number, number]>();
  for (let seq = 0; seq < shape.count; seq++) {
    const [, key, value] = sluice.generatorRecord({ seed: shape.seed, keys: shape.keys }, seq) as [number, number, number];
    const entry = totals.get(key) ?? [0, 0, 0];
    totals.set(key, [entry[0] + 1, entry[1] + value, entry[2] + seq]);
  }
  return [...totals].map(([key, [count, valueSum, seqSum]]) => `total:${key}:${count}:${valueSum}:${seqSum}`);
}

/** Every line the job emits, computed directly: per record (when `perRecord`), then the totals. */
export function expectedLines(shape: JobShape): string[] {
  const lines: string[] = [];
  if (shape.perRecord) {
    for (let seq = 0; seq < shape.count; seq++) {
      const [, key, value] = sluice.generatorRecord({ seed: shape.seed, keys: shape.keys }, seq) as [number, number, number];
      lines.push(`${key}:${seq}:${value * 2}`);
    }
  }
  lines.push(...expectedTotals(shape));
  return lines;
}

/** The lines of every committed part file in `dir` (uncommitted `.inprogress` files are not output). */
export async function committedLines(dir: string): Promise<string[]> {
  const lines: string[] = [];
  for (const name of (await readdir(dir)).sort()) {
    if (!name.startsWith('part-')) continue;
    const text = await readFile(path.join(dir, name), 'utf8');
    for (const line of text.split('\n')) if (line.length > 0) lines.push(line);
  }
  return lines;
}

/** How a multiset differs from the expected one: counts and a few examples of each difference. */
export interface MultisetDifference {
  readonly missing: number;
  readonly extra: number;
  readonly missingExamples: string[];
  readonly extraExamples: string[];
}

/** Compares two multisets of lines; `{ missing: 0, extra: 0 }` when equal. */
export function multisetDifference(actual: readonly string[], expected: readonly string[]): MultisetDifference {
  const counts = new Map<string, number>();
  for (const line of expected) counts.set(line, (counts.get(line) ?? 0) + 1);
  for (const line of actual) counts.set(line, (counts.get(line) ?? 0) - 1);
  const difference = { missing: 0, extra: 0, missingExamples: [] as string[], extraExamples: [] as string[] };
  for (const [line, count] of counts) {
    if (count > 0) {
      difference.missing += count;
      if (difference.missingExamples.length < 5) difference.missingExamples.push(line);
    } else if (count < 0) {
      difference.extra -= count;
      if (difference.extraExamples.length < 5) difference.extraExamples.push(line);
    }
  }
  return difference;
}

/** The difference of two equal multisets, for `toEqual`. */
/**
 * Five failures of a {@link BACKPRESSURED} job, one per attempt (`attempt` k strikes in the k-th
 * restart), at the places a failure can strike: while backpressured, in each phase of a checkpoint.
 */
export const FIVE_FAULTS: readonly InjectedFault[] = [
  // While backpressured, after several checkpoints completed.
  { operator: TALLY, subtask: 1, kind: 'throw', afterRecords: 15_000, attempt: 0 },
  // During a checkpoint: the snapshot is taken, not yet acknowledged.
  { operator: TALLY, subtask: 0, kind: 'exit', atCheckpoint: { phase: 'after-snapshot' }, attempt: 1 },
  // As a checkpoint starts, at the source.
  { operator: SOURCE, subtask: 1, kind: 'throw', atCheckpoint: { phase: 'before-snapshot' }, attempt: 2 },
  // After the acknowledgement was sent.
  { operator: TALLY, subtask: 1, kind: 'exit', atCheckpoint: { phase: 'after-ack' }, attempt: 3 },
  // Once more while backpressured, after the replay of restored data.
  { operator: TALLY, subtask: 0, kind: 'throw', afterRecords: 8_000, attempt: 4 },
];

export const NO_DIFFERENCE: MultisetDifference = { missing: 0, extra: 0, missingExamples: [], extraExamples: [] };

/** Collects a job's events. */
export class EventLog {
  readonly events: JobEvent[] = [];
  readonly onEvent = (event: JobEvent): void => {
    this.events.push(event);
  };

  of<T extends JobEvent['type']>(type: T): Array<Extract<JobEvent, { type: T }>> {
    return this.events.filter((event): event is Extract<JobEvent, { type: T }> => event.type === type);
  }

  /** The event types in order, without the per-checkpoint statistics events. */
  get sequence(): string[] {
    return this.events.filter((event) => event.type !== 'checkpoint').map((event) => event.type);
  }
}

/** Completed checkpoints of a result. */
/**
 * Runs `shape` into a transactional sink in `dir` with checkpoints of `mode` every 30 ms and
 * `faults`, restarting once per fault: what the job returned, its events and the committed lines.
 */
export async function runWithFaults(
  shape: JobShape,
  mode: 'aligned' | 'unaligned' | 'aligned-timeout',
  faults: readonly InjectedFault[],
  dir: string,
): Promise<{ result: JobResult; log: EventLog; lines: string[] }> {
  const output = path.join(dir, `${mode}-out`);
  const log = new EventLog();
  const result = await buildPipeline(shape, transactionalLines(output)).execute({
    checkpoints: { mode, intervalMs: 30, dir: path.join(dir, `${mode}-checkpoints`), ...(mode === 'aligned-timeout' ? { alignmentTimeoutMs: 1 } : {}) },
    restart: { type: 'fixed-delay', attempts: faults.length + 1, delayMs: 10 },
    faults,
    onEvent: log.onEvent,
  });
  return { result, log, lines: await committedLines(output) };
}

/**
 * Runs `pipeline` (job `job`) with `checkpoints` until its first periodic checkpoint completed,
 * then stops it with a savepoint into `savepointDir`. Throws if the job ended before that
 * checkpoint, or stopped without the savepoint. Returns the savepoint's statistics.
 */
export async function stopWithSavepointOnceCheckpointed(
  pipeline: PipelineType,
  job: string,
  checkpoints: CheckpointOptions,
  savepointDir: string,
): Promise<CheckpointStatistics> {
  const jobCheckpoints = new storage.CheckpointStorage({ checkpointDir: checkpoints.dir!, job });
  const running = pipeline.execute({ checkpoints });
  let ended = false;
  void running.then(
    () => (ended = true),
    () => (ended = true),
  );
  // Under way: a periodic checkpoint has completed (and the job has not ended or failed).
  while (!ended && (await jobCheckpoints.list()).length === 0) await sleep(5);
  if (ended) throw new Error(`job '${job}' ended before its first checkpoint completed: make it longer`);
  const savepoint = await pipeline.stopWithSavepoint(savepointDir);
  const stopped = await running;
  if (stopped.savepoint !== savepointDir) throw new Error(`job '${job}' stopped with savepoint ${String(stopped.savepoint)}, not ${savepointDir}`);
  return savepoint;
}

export function completed(result: JobResult): CheckpointStatistics[] {
  return result.checkpoints.filter((stats) => stats.status === 'completed');
}

/** Records that reached `tally` in the final attempt without being emitted by the source in it: replayed in-flight data. */
export function replayedRecords(result: JobResult): number {
  return result.operators[TALLY]!.recordsIn - result.operators[SOURCE]!.recordsOut;
}

/** A fresh directory under the system temp dir; `remove()` deletes it with its content. */
export async function temporaryDirectory(prefix = 'sluice-recovery-'): Promise<{ path: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  return { path: dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** The `chk-<n>` directories in a job's checkpoint directory, with whether each has its `_metadata`. */
export async function checkpointDirectories(jobDir: string): Promise<Array<{ id: number; complete: boolean }>> {
  let names: string[];
  try {
    names = await readdir(jobDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const found: Array<{ id: number; complete: boolean }> = [];
  for (const name of names) {
    const match = /^chk-(\d+)$/.exec(name);
    if (!match) continue;
    const files = await readdir(path.join(jobDir, name));
    found.push({ id: Number(match[1]), complete: files.includes('_metadata') });
  }
  return found.sort((a, b) => a.id - b.id);
}

/** The error `run` rejects with; throws if it resolves. */
export async function failureOf(run: Promise<unknown>): Promise<Error & { code?: string; cause?: unknown }> {
  try {
    await run;
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected the job to fail, but it finished');
}
