/**
 * Key groups: keys hash to one of `maxParallelism` key groups, and each subtask of a keyed
 * operator owns a contiguous range of them. A snapshot is written per key group, so a
 * restore can change the parallelism (as in Flink).
 */
import type { Key } from '../api/context.js';

/** A contiguous, inclusive range of key groups. */
export interface KeyGroupRange {
  readonly start: number;
  readonly end: number;
}

const scratch = new Float64Array(1);
const scratchWords = new Int32Array(scratch.buffer);

function mix(h: number): number {
  // murmur3 finalizer: spreads every input bit over the output.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A 32-bit hash of a key, the same in every thread and every run. */
export function hashKey(key: Key): number {
  if (typeof key === 'number') {
    if ((key | 0) === key) return mix(key);
    scratch[0] = key;
    return mix(scratchWords[0]! ^ Math.imul(scratchWords[1]!, 0x9e3779b1));
  }
  if (typeof key !== 'string') {
    throw new TypeError(`a key must be a string or a number, got ${key === null ? 'null' : typeof key}`);
  }
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return mix(h ^ key.length);
}

/** The key group of a key. */
export function keyGroupOf(key: Key, maxParallelism: number): number {
  return hashKey(key) % maxParallelism;
}

/** The subtask that owns a key group. */
export function subtaskForKeyGroup(keyGroup: number, parallelism: number, maxParallelism: number): number {
  return Math.floor((keyGroup * parallelism) / maxParallelism);
}

/** The key groups subtask `index` of `parallelism` owns. */
export function keyGroupRange(index: number, parallelism: number, maxParallelism: number): KeyGroupRange {
  return {
    start: Math.ceil((index * maxParallelism) / parallelism),
    end: Math.ceil(((index + 1) * maxParallelism) / parallelism) - 1,
  };
}
