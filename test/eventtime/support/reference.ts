/**
 * The expected output of the event-time jobs, computed directly from the generator's definition
 * and the fixtures' event-time function: per key and tumbling window, the count and value sum.
 */
import { ops, sluice } from './compiled.js';

/** Lines `<key>:<start>:<end>:<count>:<valueSum>` of every window of `sizeMs` over `count` generator records. */
export function expectedWindowLines(options: { seed: number; count: number; keys: number; sizeMs: number }): string[] {
  const windows = new Map<string, [number, number]>();
  for (let seq = 0; seq < options.count; seq++) {
    const [, key, value] = sluice.generatorRecord({ seed: options.seed, keys: options.keys }, seq) as [number, number, number];
    const start = Math.floor(ops.eventTimeOf(seq) / options.sizeMs) * options.sizeMs;
    const id = `${key}:${start}:${start + options.sizeMs}`;
    const entry = windows.get(id) ?? [0, 0];
    windows.set(id, [entry[0] + 1, entry[1] + value]);
  }
  return [...windows].map(([id, [count, sum]]) => `${id}:${count}:${sum}`);
}
