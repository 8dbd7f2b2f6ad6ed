/**
 * Operators of the event-time benchmark (bench/engine/event-time.ts), loaded by its workers: an
 * out-of-order event time for generator records, a keyed count, and a window count.
 */
import { defineAggregate, defineProcess, defineTimestampAssigner } from '../../src/index.js';

/** Records of one source subtask lag the latest event time by less than this. */
export const MAX_JITTER_MS = 200;

/** Event time of generator record `seq`: 10 ms a record, minus up to 199 ms of jitter. */
export function eventTimeOf(seq: number): number {
  let x = Math.imul(seq ^ 0x9e3779b9, 0x85ebca6b);
  x ^= x >>> 15;
  return seq * 10 - ((x >>> 0) % MAX_JITTER_MS);
}

/** The event time of a generator record `[seq, key, value]`. */
export const generatorTime = defineTimestampAssigner(import.meta, (record: readonly number[]) => eventTimeOf(record[0]!));

/** Counts records per key in value state; emits nothing (the sink sees only window results). */
export const keyedCount = defineProcess(import.meta, {
  processElement(_record: readonly number[], ctx, _out) {
    const count = ctx.valueState<number>('count');
    count.update((count.value() ?? 0) + 1);
  },
});

/** Records per window. */
export const countRecords = defineAggregate(import.meta, {
  createAccumulator: () => 0,
  add: (count: number, _record: readonly number[]) => count + 1,
  getResult: (count: number) => count,
  merge: (a: number, b: number) => a + b,
});
