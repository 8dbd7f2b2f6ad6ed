/**
 * Slot sharing groups: operators of different groups never share a worker thread. Each group
 * has as many threads as its widest operator has subtasks, so a job at parallelism p whose sink
 * is in a group of its own runs on p + p threads, and computes what the same job without groups
 * does. A sink that blocks its thread (Atomics.wait on every record) in a group of its own does
 * not stop the source: with rings large enough for the whole input, the source emits every
 * record while the sink is still blocked on its first one.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { Item } from '../fixtures/engine/ops.js';
import { ops, sinks, sluice, sources } from './support/compiled.js';
import { multiset, roundRobin } from './support/records.js';

const { Pipeline, collected } = sluice;

type Tagged = Item & { first: [number, number]; second: [number, number] };

function items(count: number): Item[] {
  return Array.from({ length: count }, (_, id) => ({ id, k: `key-${id % 16}`, v: id % 97 }));
}

/**
 * source -> tag 'first' -> keyBy -> reduce -> tag 'second' -> sink, every operator at
 * `parallelism`; with `sinkGroup`, 'second' and the sink are in that group.
 */
async function run(parallelism: number, input: readonly Item[], sinkGroup?: string) {
  const group = sinkGroup === undefined ? {} : { slotSharingGroup: sinkGroup };
  const pipeline = new Pipeline({ parallelism, channelBytes: 4096 });
  pipeline
    .source(sources.arraySourceSpec(roundRobin(input, parallelism)), { name: 'items' })
    .map(ops.tagThread, { name: 'first', options: { as: 'first' } })
    .keyBy('k')
    .reduce(ops.keepLatest, { name: 'latest' })
    .map(ops.tagThread, { name: 'second', options: { as: 'second' }, ...group })
    .sink(sinks.collectSpec(), { name: 'out', ...group });
  return collected<Tagged>(await pipeline.execute(), 'out');
}

/** The threads each subtask of a tagging operator ran on, by subtask. */
function threadsOf(output: readonly Tagged[], tag: 'first' | 'second'): Map<number, Set<number>> {
  const threads = new Map<number, Set<number>>();
  for (const { [tag]: [subtask, thread] } of output) {
    if (!threads.has(subtask)) threads.set(subtask, new Set());
    threads.get(subtask)!.add(thread);
  }
  return threads;
}

describe('slot sharing groups', () => {
  it.each([1, 2])('a sink group at parallelism %i runs on p + p threads and gives the output of the job without groups', async (parallelism) => {
    const input = items(30_000);
    const strip = ({ first: _first, second: _second, ...item }: Tagged) => item;
    const grouped = await run(parallelism, input, 'sink');
    const plain = await run(parallelism, input);
    expect(multiset(grouped.map(strip))).toEqual(multiset(plain.map(strip)));
    expect(multiset(grouped.map(strip))).toEqual(multiset(input));

    const first = threadsOf(grouped, 'first');
    const second = threadsOf(grouped, 'second');
    expect([...first.keys()].sort()).toEqual([...Array(parallelism).keys()]);
    expect([...second.keys()].sort()).toEqual([...Array(parallelism).keys()]);
    for (const threads of [...first.values(), ...second.values()]) expect(threads.size).toBe(1);
    const defaultThreads = new Set([...first.values()].flatMap((set) => [...set]));
    const sinkThreads = new Set([...second.values()].flatMap((set) => [...set]));
    expect(defaultThreads.size).toBe(parallelism);
    expect(sinkThreads.size).toBe(parallelism);
    expect([...sinkThreads].filter((thread) => defaultThreads.has(thread))).toEqual([]);

    // Without groups, 'second' shares the threads of 'first'.
    const plainThreads = new Set([...threadsOf(plain, 'first').values(), ...threadsOf(plain, 'second').values()].flatMap((set) => [...set]));
    expect(plainThreads.size).toBe(parallelism);
  });

  it('steps the source while a sink in its own group blocks its thread', async () => {
    const parallelism = 2;
    const input = items(20_000);
    const counter = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
    const gate = new SharedArrayBuffer(sinks.GATE_BYTES);
    const gateWords = new Int32Array(gate);
    // Rings hold the whole input, and debloating (which would shrink them for a sink that takes
    // nothing) is off: only a thread shared with the blocked sink could hold the source back.
    const pipeline = new Pipeline({ parallelism, channelBytes: 4 * 1024 * 1024, debloatTargetMs: 'off' });
    pipeline
      .source(sources.arraySourceSpec(roundRobin(input, parallelism)), { name: 'items' })
      .map(ops.countingIdentity, { name: 'counted', options: { counter } })
      .sink(sinks.gatedSpec(gate), { name: 'out', slotSharingGroup: 'blocking-sink' });
    const running = pipeline.execute();
    let settled = false;
    void running.then(
      () => (settled = true),
      () => (settled = true),
    );
    try {
      const emitted = new Int32Array(counter);
      while (!settled && Atomics.load(emitted, 0) < input.length) await sleep(2);
      expect(Atomics.load(emitted, 0)).toBe(input.length);
      // Every record went past the source's chain while the sink had taken none: both sink
      // subtasks are still blocked on their first record (or about to be).
      expect(Atomics.load(gateWords, sinks.GATE_RECORDS)).toBe(0);
      expect(settled).toBe(false);
    } finally {
      Atomics.store(gateWords, sinks.GATE_OPEN, 1);
      Atomics.notify(gateWords, sinks.GATE_OPEN);
    }
    const result = await running;
    expect(multiset(collected<Item>(result, 'out'))).toEqual(multiset(input));
    expect(result.operators['items']!.recordsOut).toBe(input.length);
  });
});
