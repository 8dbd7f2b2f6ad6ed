import type { Key } from '../api/context.js';
import type { KeySelector } from '../api/functions.js';
import type { ResolvedKey } from '../plan/job-plan.js';
import { loadFunction } from '../plan/function-ref.js';

/** Computes the key of a record: a field or index, or a user key selector. */
export type KeyExtractor = (record: unknown) => Key;

/** Builds the key extractor for a resolved key spec (in a worker). */
export async function createKeyExtractor(key: ResolvedKey, operator: string): Promise<KeyExtractor> {
  if (key.type === 'function') {
    const selector = await loadFunction<KeySelector<unknown>>(key.fn, operator);
    return (record) => checkKey(selector(record), operator);
  }
  const field = key.field;
  return (record) => {
    if (record === null || typeof record !== 'object') {
      throw new TypeError(`keyBy(${JSON.stringify(field)}): record is ${record === null ? 'null' : typeof record}, not an object or array`);
    }
    return checkKey((record as Record<string | number, unknown>)[field], operator);
  };
}

function checkKey(key: unknown, operator: string): Key {
  if (typeof key === 'string' || typeof key === 'number') return key;
  throw new TypeError(
    `operator '${operator}': a key must be a string or a number, got ${key === null ? 'null' : typeof key}`,
  );
}
