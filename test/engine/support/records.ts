/**
 * Helpers of the engine tests: canonical forms for comparing multisets of records, record
 * arbitraries, and ways to split an input over source subtasks.
 */
import fc from 'fast-check';
import type { Item } from '../../fixtures/engine/ops.js';

// A failing property shrinks its input by running more jobs, about a second each: stop
// shrinking after a while and report the smallest counterexample found, within the test timeout.
fc.configureGlobal({ interruptAfterTimeLimit: 40_000 });

/** The parallelisms every correctness property runs at. */
export const PARALLELISMS = [1, 2, 4] as const;

/**
 * fast-check runs per property at a parallelism. Every execute() starts one worker thread per
 * subtask (about 0.1 s each on two cores), so runs are few and inputs large instead.
 */
export function runsAt(parallelism: number): number {
  return parallelism <= 1 ? 4 : parallelism <= 2 ? 3 : 2;
}

/** JSON with object keys sorted and -0 told apart from 0, so equal records give equal strings. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'number' && Object.is(v, -0)) return '-0';
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return v;
  });
}

/** A multiset of records as a sorted list of canonical strings. */
export function multiset(records: readonly unknown[]): string[] {
  return records.map(canonical).sort();
}

/** Splits `records` round-robin over `parts` partitions. */
export function roundRobin<T>(records: readonly T[], parts: number): T[][] {
  const partitions = Array.from({ length: parts }, () => [] as T[]);
  records.forEach((record, index) => partitions[index % parts]!.push(record));
  return partitions;
}

/**
 * Splits `records` so that all records of one key go to one partition, in input order; then a
 * key's records reach a keyed operator through one channel, in order.
 */
export function byKey<T>(records: readonly T[], parts: number, keyOf: (record: T) => string | number): T[][] {
  const partitions = Array.from({ length: parts }, () => [] as T[]);
  for (const record of records) {
    const key = String(keyOf(record));
    let hash = 0;
    for (let i = 0; i < key.length; i++) hash = (hash * 31 + key.charCodeAt(i)) >>> 0;
    partitions[hash % parts]!.push(record);
  }
  return partitions;
}

/** Groups values by key, keeping their order. */
export function groupBy<T>(records: readonly T[], keyOf: (record: T) => string | number): Map<string | number, T[]> {
  const groups = new Map<string | number, T[]>();
  for (const record of records) {
    const key = keyOf(record);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = []));
    group.push(record);
  }
  return groups;
}

/**
 * Items whose keys mix a few that repeat often with many that appear once or twice (so most
 * key groups hold a key); small integer values; ids are positions.
 */
export function itemsArbitrary(maxLength = 500): fc.Arbitrary<Item[]> {
  const key = fc.oneof(
    { arbitrary: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'hh', 'ü', ''), weight: 3 },
    { arbitrary: fc.integer({ min: 0, max: 299 }).map((n) => `k${n}`), weight: 1 },
  );
  return fc
    .array(fc.record({ k: key, v: fc.integer({ min: -50, max: 50 }) }), { maxLength })
    .map((records) => records.map((record, id) => ({ id, ...record })));
}
