import type { Key, ListState, MapState, ValueState } from '../api/context.js';
import type { KeyGroupRange } from './key-groups.js';
import { keyGroupOf } from './key-groups.js';

/** One named state: per key group of the subtask, a map from key to value. */
type StateTable = Array<Map<Key, unknown>>;

/**
 * Keyed state of one subtask, partitioned by key group so that a snapshot can be written
 * per key group and restored at another parallelism. The runtime sets the current key before
 * each record; state handles read and write the current key's entry.
 */
export class KeyedStateBackend {
  readonly range: KeyGroupRange;
  readonly maxParallelism: number;
  readonly #tables = new Map<string, StateTable>();
  #currentKey: Key = 0;
  #currentGroup = 0;

  constructor(range: KeyGroupRange, maxParallelism: number) {
    this.range = range;
    this.maxParallelism = maxParallelism;
  }

  /** The key of the record being processed. */
  get currentKey(): Key {
    return this.#currentKey;
  }

  /** Sets the current key; throws if the key's group does not belong to this subtask. */
  setCurrentKey(key: Key): void {
    const group = keyGroupOf(key, this.maxParallelism);
    if (group < this.range.start || group > this.range.end) {
      throw new RangeError(
        `key ${JSON.stringify(key)} is in key group ${group}, outside this subtask's range ${this.range.start}..${this.range.end}`,
      );
    }
    this.#currentKey = key;
    this.#currentGroup = group - this.range.start;
  }

  /**
   * Sets the current key, whose key group the caller already knows (the producer of a
   * hash-partitioned channel computed it to route the record). Throws if the group does not
   * belong to this subtask: a producer that routed by another key.
   */
  setCurrentKeyInGroup(key: Key, group: number): void {
    if (group < this.range.start || group > this.range.end) {
      throw new RangeError(
        `key ${JSON.stringify(key)} arrived for key group ${group}, outside this subtask's range ${this.range.start}..${this.range.end}`,
      );
    }
    this.#currentKey = key;
    this.#currentGroup = group - this.range.start;
  }

  /** The table of state `name`, created on first use; handles keep it (restore fills the same one). */
  #table(name: string): StateTable {
    let table = this.#tables.get(name);
    if (!table) {
      table = Array.from({ length: this.range.end - this.range.start + 1 }, () => new Map<Key, unknown>());
      this.#tables.set(name, table);
    }
    return table;
  }

  /** The map of the current key group for the state `name`. */
  #entries(name: string): Map<Key, unknown> {
    return this.#table(name)[this.#currentGroup]!;
  }

  /** Names of the states that exist. */
  stateNames(): string[] {
    return [...this.#tables.keys()];
  }

  /** Entries of the state `name` in one key group (for snapshots and iteration). */
  keyGroupEntries(name: string, keyGroup: number): Map<Key, unknown> | undefined {
    return this.#tables.get(name)?.[keyGroup - this.range.start];
  }

  /** Calls `fn` for every key with an entry in state `name`, making it the current key. */
  forEachKey(name: string, fn: (key: Key, value: unknown) => void): void {
    const table = this.#tables.get(name);
    if (!table) return;
    for (const entries of table) {
      for (const [key, value] of [...entries]) {
        this.setCurrentKey(key);
        fn(key, value);
      }
    }
  }

  /** Every non-empty key group's entries, per state name: the keyed part of a snapshot. */
  snapshot(): Array<[number, Array<[string, Array<[Key, unknown]>]>]> {
    const groups: Array<[number, Array<[string, Array<[Key, unknown]>]>]> = [];
    for (let group = this.range.start; group <= this.range.end; group++) {
      const states: Array<[string, Array<[Key, unknown]>]> = [];
      for (const [name, table] of this.#tables) {
        const entries = table[group - this.range.start]!;
        if (entries.size > 0) states.push([name, [...entries]]);
      }
      if (states.length > 0) groups.push([group, states]);
    }
    return groups;
  }

  /**
   * Loads a snapshot's key groups; groups outside this subtask's range are skipped, so a
   * restore may give each subtask the union of old snapshots.
   */
  restore(groups: ReadonlyArray<readonly [number, ReadonlyArray<readonly [string, ReadonlyArray<readonly [unknown, unknown]>]>]>): void {
    for (const [group, states] of groups) {
      if (group < this.range.start || group > this.range.end) continue;
      for (const [name, entries] of states) {
        const target = this.#table(name)[group - this.range.start]!;
        for (const [key, value] of entries) target.set(key as Key, value);
      }
    }
  }

  valueState<T>(name: string): ValueState<T> {
    const table = this.#table(name);
    return {
      value: () => table[this.#currentGroup]!.get(this.#currentKey) as T | undefined,
      update: (value: T) => {
        table[this.#currentGroup]!.set(this.#currentKey, value);
      },
      clear: () => {
        table[this.#currentGroup]!.delete(this.#currentKey);
      },
    };
  }

  listState<T>(name: string): ListState<T> {
    const list = (): T[] | undefined => this.#entries(name).get(this.#currentKey) as T[] | undefined;
    return {
      get: () => list() ?? [],
      add: (value: T) => {
        const current = list();
        if (current) current.push(value);
        else this.#entries(name).set(this.#currentKey, [value]);
      },
      update: (values: readonly T[]) => {
        this.#entries(name).set(this.#currentKey, [...values]);
      },
      clear: () => {
        this.#entries(name).delete(this.#currentKey);
      },
    };
  }

  mapState<K, V>(name: string): MapState<K, V> {
    const map = (create: boolean): Map<K, V> | undefined => {
      const entries = this.#entries(name);
      let current = entries.get(this.#currentKey) as Map<K, V> | undefined;
      if (!current && create) {
        current = new Map<K, V>();
        entries.set(this.#currentKey, current);
      }
      return current;
    };
    return {
      get: (key) => map(false)?.get(key),
      put: (key, value) => {
        map(true)!.set(key, value);
      },
      has: (key) => map(false)?.has(key) ?? false,
      remove: (key) => {
        const current = map(false);
        current?.delete(key);
        if (current?.size === 0) this.#entries(name).delete(this.#currentKey);
      },
      entries: () => (map(false) ?? new Map<K, V>()).entries(),
      size: () => map(false)?.size ?? 0,
      clear: () => {
        this.#entries(name).delete(this.#currentKey);
      },
    };
  }
}
