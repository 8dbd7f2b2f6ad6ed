/**
 * Slot sharing: a job at parallelism p runs on p worker threads, thread i running subtask i of
 * every vertex, whatever the number of vertices. Channels whose two ends share a thread stay
 * rings: with 4 KiB rings and a slow consumer they are full most of the time, and the thread
 * must step the consumer rather than wait for it (a wait would deadlock). Records go around the
 * rings thousands of times; the output is compared with a plain reference.
 */
import { describe, expect, it } from 'vitest';
import type { Item } from '../fixtures/engine/ops.js';
import { ops, sinks, sluice, sources } from './support/compiled.js';
import { multiset, roundRobin } from './support/records.js';

const { Pipeline, collected } = sluice;

type Tagged = Item & { first: [number, number]; second: [number, number] };

/** Items with keys over 16 values and payloads large enough to fill 4 KiB rings quickly. */
function items(count: number): Item[] {
  return Array.from({ length: count }, (_, id) => ({ id, k: `key-${id % 16}`, v: id % 97 }));
}

/**
 * source -> tag 'first' -> keyBy -> reduce (each record passes) -> slow map -> tag 'second' ->
 * rebalance -> sink, every operator at `parallelism`: three vertices once chained, with hash and
 * rebalance channels inside and across threads.
 */
async function run(parallelism: number, input: readonly Item[]) {
  const pipeline = new Pipeline({ parallelism, channelBytes: 4096 });
  pipeline
    .source(sources.arraySourceSpec(roundRobin(input, parallelism)), { name: 'items' })
    .map(ops.tagThread, { name: 'first', options: { as: 'first' } })
    .keyBy('k')
    .reduce(ops.keepLatest, { name: 'latest' })
    .map(ops.slowIdentity, { name: 'slow', options: { micros: 2 } })
    .map(ops.tagThread, { name: 'second', options: { as: 'second' } })
    .rebalance()
    .sink(sinks.collectSpec(), { name: 'out' });
  return collected<Tagged>(await pipeline.execute(), 'out');
}

describe('slot sharing', () => {
  it.each([1, 2, 3])('runs parallelism %i on that many threads, subtask i of every vertex on thread i', async (parallelism) => {
    const input = items(60_000);
    const output = await run(parallelism, input);

    // Nothing lost, nothing doubled, nothing changed on the way through full same-thread rings.
    const strip = ({ first: _first, second: _second, ...item }: Tagged) => item;
    expect(multiset(output.map(strip))).toEqual(multiset(input));

    // Which thread ran each subtask of the two tagging vertices.
    const threadOf = new Map<string, Set<number>>();
    const note = (vertex: string, [subtask, thread]: [number, number]) => {
      const key = `${vertex}/${subtask}`;
      if (!threadOf.has(key)) threadOf.set(key, new Set());
      threadOf.get(key)!.add(thread);
    };
    for (const record of output) {
      note('first', record.first);
      note('second', record.second);
    }
    for (let subtask = 0; subtask < parallelism; subtask++) {
      const first = threadOf.get(`first/${subtask}`);
      const second = threadOf.get(`second/${subtask}`);
      expect(first?.size).toBe(1);
      expect(second?.size).toBe(1);
      expect([...second!]).toEqual([...first!]);
    }
    const threads = new Set([...threadOf.values()].flatMap((set) => [...set]));
    expect(threads.size).toBe(parallelism);
  });

  it('keeps a narrower vertex on the first threads: source 1 -> map 3 -> sink 2 on three threads', async () => {
    const input = items(20_000);
    const pipeline = new Pipeline({ parallelism: 3, channelBytes: 4096 });
    pipeline
      .source(sources.arraySourceSpec([input]), { name: 'items', parallelism: 1 })
      .map(ops.tagThread, { name: 'first', options: { as: 'first' } })
      .map(ops.slowIdentity, { name: 'slow', options: { micros: 1 } })
      .sink(sinks.collectSpec(), { name: 'out', parallelism: 2 });
    const output = collected<Item & { first: [number, number] }>(await pipeline.execute(), 'out');
    expect(output).toHaveLength(input.length);
    const threads = new Map<number, Set<number>>();
    for (const { first: [subtask, thread] } of output) {
      if (!threads.has(subtask)) threads.set(subtask, new Set());
      threads.get(subtask)!.add(thread);
    }
    expect([...threads.keys()].sort()).toEqual([0, 1, 2]);
    const distinct = new Set([...threads.values()].flatMap((set) => [...set]));
    expect(distinct.size).toBe(3);
  });
});
