/**
 * Runs connectors without the runtime: a fake context, a poll loop that waits for `wakeup()`
 * after 'idle', and temporary directories.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SinkContext, SinkFactory, SinkFunction, SourceContext, SourceFactory, SourceFunction, SourceStatus } from '../../../src/api/functions.js';
import type { SinkSpec, SourceSpec } from '../../../src/api/specs.js';

/** Counts `wakeup()` calls; `wait()` resolves at the next one (or at once if one came since the last wait). */
export class WakeupSignal {
  calls = 0;
  #rung = false;
  #waiter: (() => void) | null = null;

  ring(): void {
    this.calls++;
    const waiter = this.#waiter;
    this.#waiter = null;
    if (waiter) waiter();
    else this.#rung = true;
  }

  /** Resolves at the next wakeup; rejects if none comes in `guardMs` (a hang guard, not a timing check). */
  wait(guardMs = 30_000): Promise<void> {
    if (this.#rung) {
      this.#rung = false;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const guard = setTimeout(() => reject(new Error(`source said 'idle' and never called wakeup() in ${guardMs} ms`)), guardMs);
      this.#waiter = () => {
        clearTimeout(guard);
        resolve();
      };
    });
  }
}

/** A fake source context for subtask `subtaskIndex` of `parallelism`. */
export function sourceContext(subtaskIndex: number, parallelism: number, options: unknown = null) {
  const signal = new WakeupSignal();
  const ctx: SourceContext = {
    operatorName: 'source-under-test',
    subtaskIndex,
    parallelism,
    maxParallelism: 128,
    jobId: 't',
    options,
    wakeup: () => signal.ring(),
    deadLetters: { count: 0 },
  };
  return { ctx, signal };
}

/** A fake sink context. */
export function sinkContext(subtaskIndex: number, parallelism: number): SinkContext {
  return { operatorName: 'sink-under-test', subtaskIndex, parallelism, maxParallelism: 128, jobId: 't', options: null, wakeup() {} };
}

/** A fresh source instance for one subtask, made by the spec's factory as a worker would. */
export function createSource<T>(spec: SourceSpec<T>): SourceFunction<T, unknown> {
  return (spec.fn.impl as SourceFactory<T>)(spec.options);
}

/** A fresh sink instance, made by the spec's factory as a worker would. */
export function createSink<T>(spec: SinkSpec<T>): SinkFunction<T, unknown> {
  return (spec.fn.impl as SinkFactory<T>)(spec.options);
}

export interface RunOptions {
  readonly subtaskIndex: number;
  readonly parallelism: number;
  /** Resume from this position (from a previous run's `position`). */
  readonly restoredPosition?: unknown;
  /** Records per poll. Default 64. */
  readonly budget?: number;
  /** Stop after this many records (a checkpoint point), without waiting for 'end'. */
  readonly stopAfter?: number;
}

export interface RunResult<T> {
  readonly records: T[];
  /** `position()` after the last record taken. */
  readonly position: unknown;
  /** Whether the source said 'end'. */
  readonly ended: boolean;
  /** Dead letters the source reported. */
  readonly deadLetters: number;
  /** Polls that returned 'idle'. */
  readonly idlePolls: number;
  /** wakeup() calls. */
  readonly wakeups: number;
}

/** Opens one subtask of `spec`, polls until 'end' (or `stopAfter` records), closes it. */
export async function runSource<T>(spec: SourceSpec<T>, run: RunOptions): Promise<RunResult<T>> {
  const source = createSource(spec);
  const { ctx, signal } = sourceContext(run.subtaskIndex, run.parallelism, spec.options);
  const records: T[] = [];
  const out = { collect: (record: T) => void records.push(record) };
  const budget = run.budget ?? 64;
  const limit = run.stopAfter ?? Infinity;
  let ended = false;
  let idlePolls = 0;
  try {
    await source.open(ctx, run.restoredPosition);
    while (records.length < limit) {
      const before = records.length;
      const status: SourceStatus = source.poll(out, Math.min(budget, limit - records.length));
      if (records.length - before > budget) throw new Error(`poll emitted ${records.length - before} records, budget ${budget}`);
      if (status === 'end') {
        ended = true;
        break;
      }
      if (status === 'idle') {
        idlePolls++;
        await signal.wait();
      }
    }
    return { records, position: source.position(), ended, deadLetters: ctx.deadLetters.count, idlePolls, wakeups: signal.calls };
  } finally {
    await source.close?.();
  }
}

/** Runs every subtask of `spec` at `parallelism` to the end; the records of each, in subtask order. */
export async function runAllSubtasks<T>(spec: SourceSpec<T>, parallelism: number, budget?: number): Promise<T[][]> {
  const parts: T[][] = [];
  for (let subtaskIndex = 0; subtaskIndex < parallelism; subtaskIndex++) {
    const { records, ended } = await runSource(spec, { subtaskIndex, parallelism, ...(budget === undefined ? {} : { budget }) });
    if (!ended) throw new Error(`subtask ${subtaskIndex} did not end`);
    parts.push(records);
  }
  return parts;
}

/** A temporary directory under os.tmpdir(); `remove()` deletes it. */
export async function temporaryDirectory(): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'sluice-connectors-'));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}
