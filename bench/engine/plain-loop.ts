/**
 * The limit of the engine benchmark: the same source, map, keyed reduce and sink, called from a
 * plain loop in one thread with no streams, no threads and no serialization — what the work
 * itself costs. The functions are the very ones the sluice job runs (`definition.impl`).
 */
import type { Collector, Key } from '../../src/index.js';
import type { BenchSinkResult, BenchSourceOptions } from './ops.js';
import type { BaselineOperators, BaselineRun } from './stream-baseline.js';
import { BASELINE_CONTEXT, openOperators } from './stream-baseline.js';

/** Records the source emits per poll, as sluice asks of it. */
const POLL_BUDGET = 256;

/** Runs `count` records through source → map → keyed reduce (a Map of accumulators) → sink in one loop. */
export async function runPlainLoop<T>(operators: BaselineOperators<T>, options: BenchSourceOptions): Promise<BaselineRun> {
  const started = performance.now();
  const { source, map, reduce, keyOf, sink } = await openOperators(operators, options);
  const accumulators = new Map<Key, T>();
  const out: Collector<T> = {
    collect(record) {
      const mapped = map(record, BASELINE_CONTEXT);
      const key = keyOf(mapped);
      const accumulator = accumulators.get(key);
      const next = accumulator === undefined ? mapped : reduce(accumulator, mapped, BASELINE_CONTEXT);
      accumulators.set(key, next);
      sink.write(next, 0);
    },
  };
  while (source.poll(out, POLL_BUDGET) !== 'end');
  const result = (await sink.finish?.()) as BenchSinkResult;
  await sink.close?.();
  await source.close?.();
  return { durationMs: performance.now() - started, result };
}
