/**
 * The baseline of the engine benchmark: the same source, map, keyed reduce and sink as the
 * sluice job, as Node's `stream.pipeline` of object-mode streams in one thread. The stages
 * call the very functions the sluice job runs (`definition.impl`), so only the engine differs.
 */
import { Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FunctionDefinition, Key, KeyedContext, MapFunction, ReduceFunction, SinkFactory, SourceFactory } from '../../src/index.js';
import type { BenchSinkResult, BenchSourceOptions } from './ops.js';

/** The functions of one record shape, and how to find a record's key. */
export interface BaselineOperators<T> {
  readonly source: FunctionDefinition<'source', SourceFactory<T, BenchSourceOptions>>;
  readonly map: FunctionDefinition<'map', MapFunction<T, T>>;
  readonly reduce: FunctionDefinition<'reduce', ReduceFunction<T>>;
  readonly sink: FunctionDefinition<'sink', SinkFactory<T, unknown>>;
  readonly keyOf: (record: T) => Key;
}

/** What one baseline run did. */
export interface BaselineRun {
  readonly durationMs: number;
  readonly result: BenchSinkResult;
}

/** The context the functions see (the benchmark's functions do not read it); the plain loop uses it too. */
export const BASELINE_CONTEXT: KeyedContext = {
  operatorName: 'stream.pipeline',
  subtaskIndex: 0,
  parallelism: 1,
  maxParallelism: 1,
  jobId: 'stream.pipeline',
  options: undefined,
  currentKey: 0,
  valueState: () => { throw new Error('the baseline has no keyed state'); },
  listState: () => { throw new Error('the baseline has no keyed state'); },
  mapState: () => { throw new Error('the baseline has no keyed state'); },
  forEachKey: () => { throw new Error('the baseline has no keyed state'); },
  timestamp: NaN,
  timers: {
    currentWatermark: () => -Infinity,
    currentProcessingTime: () => Date.now(),
    registerEventTime: () => { throw new Error('the baseline has no timers'); },
    registerProcessingTime: () => { throw new Error('the baseline has no timers'); },
    deleteEventTime: () => {},
    deleteProcessingTime: () => {},
  },
};

/** The baseline's operators, created and opened in this thread as a sluice subtask would. */
export async function openOperators<T>(operators: BaselineOperators<T>, options: BenchSourceOptions) {
  const source = operators.source.impl(options);
  await source.open({ ...BASELINE_CONTEXT, wakeup() {}, deadLetters: { count: 0 } }, undefined);
  const sink = operators.sink.impl(undefined);
  await sink.open?.({ ...BASELINE_CONTEXT, wakeup() {} });
  return { source, map: operators.map.impl, reduce: operators.reduce.impl, keyOf: operators.keyOf, sink };
}

/**
 * Runs `count` records through Readable → Transform (map) → Transform (keyed reduce, a Map
 * of accumulators) → Writable, with object-mode streams of `highWaterMark` records (Node's
 * default when undefined).
 */
export async function runStreamPipeline<T>(
  operators: BaselineOperators<T>,
  options: BenchSourceOptions,
  highWaterMark: number | undefined,
): Promise<BaselineRun> {
  const started = performance.now();
  const { source, map, reduce, keyOf, sink } = await openOperators(operators, options);

  let ended = false;
  const readable = new Readable({
    objectMode: true,
    highWaterMark,
    read(size) {
      if (ended) return;
      if (source.poll(out, size) === 'end') {
        ended = true;
        this.push(null);
      }
    },
  });
  const out = { collect: (record: T) => void readable.push(record) };
  const mapper = new Transform({
    objectMode: true,
    highWaterMark,
    transform(record: T, _encoding, callback) {
      callback(null, map(record, BASELINE_CONTEXT));
    },
  });
  const accumulators = new Map<Key, T>();
  const reducer = new Transform({
    objectMode: true,
    highWaterMark,
    transform(record: T, _encoding, callback) {
      const key = keyOf(record);
      const accumulator = accumulators.get(key);
      const next = accumulator === undefined ? record : reduce(accumulator, record, BASELINE_CONTEXT);
      accumulators.set(key, next);
      callback(null, next);
    },
  });
  const writable = new Writable({
    objectMode: true,
    highWaterMark,
    write(record: T, _encoding, callback) {
      sink.write(record, 0);
      callback();
    },
  });
  await pipeline(readable, mapper, reducer, writable);
  const result = (await sink.finish?.()) as BenchSinkResult;
  await sink.close?.();
  await source.close?.();
  return { durationMs: performance.now() - started, result };
}
