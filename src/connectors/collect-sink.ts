/**
 * A sink that keeps every record it receives and returns them as its part of the job result:
 * for tests and small jobs. Read them with `collected(result, name)`.
 */
import { defineSink } from '../api/functions.js';
import type { SinkContext, SinkFunction } from '../api/functions.js';
import type { SinkSpec } from '../api/specs.js';
import type { RestorableSinkFunction } from './restorable-sink.js';

/** One subtask of the collect sink. Its state is the records so far. */
class CollectSinkSubtask<T> implements RestorableSinkFunction<T, T[], T[]> {
  #records: T[] = [];

  open(_ctx: SinkContext, restoredState?: T[]): void {
    this.#records = restoredState === undefined ? [] : restoredState.slice();
  }

  /** Restored at another parallelism: the records of the old subtasks taken over, in old subtask order. */
  rescaleState(_ctx: SinkContext, previous: ReadonlyArray<{ readonly subtask: number; readonly state: unknown }>): T[] {
    return previous.flatMap(({ state }) => (state as T[] | undefined) ?? []);
  }

  write(record: T): void {
    this.#records.push(record);
  }

  snapshotState(): T[] {
    return this.#records.slice();
  }

  finish(): T[] {
    return this.#records;
  }

  close(): void {}
}

/** The collect sink's definition; the runtime instantiates it in each subtask's worker. */
export const collectSinkDefinition = defineSink(
  import.meta,
  (_options: unknown): SinkFunction<unknown> => new CollectSinkSubtask<unknown>(),
);

/**
 * A sink keeping all records in memory; each subtask's part of the job result is the array of
 * records it received, in arrival order. Records must be structured-cloneable (plain data).
 *
 * ```ts
 * stream.sink(collectSink<number>(), 'out');
 * const values = collected<number>(await pipeline.execute(), 'out');
 * ```
 */
export function collectSink<T = unknown>(): SinkSpec<T> {
  return { fn: collectSinkDefinition, options: null, name: 'collect' };
}
