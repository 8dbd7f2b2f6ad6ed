/**
 * The built-in operators that split a window operator's output: its results go on, its late
 * records (wrapped as `LateRecord`s) go to the stream `lateRecords()` returns. The builder adds
 * them; they are exported so worker threads find them as they find user functions.
 */
import type { Collector } from './context.js';
import { defineFilter, defineFlatMap } from './functions.js';
import { isLateRecord } from './windows.js';

/** Keeps a window operator's results, drops its late records. */
export const windowResults = defineFilter(import.meta, (record: unknown) => !isLateRecord(record));

/** Keeps a window operator's late records, unwrapped. */
export const windowLateRecords = defineFlatMap(import.meta, (record: unknown, out: Collector<unknown>) => {
  if (isLateRecord(record)) out.collect(record.__sluiceLate);
});
