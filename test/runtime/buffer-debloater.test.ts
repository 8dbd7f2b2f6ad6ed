/**
 * The buffer debloater turns the bytes a subtask consumes into per-channel in-flight limits of
 * about `targetMs` of its throughput: limits follow a throughput that falls and rises, stay
 * within the minimum and each ring's capacity, ignore small changes, and give an ended
 * channel's share to the others.
 */
import { describe, expect, it } from 'vitest';
import { BufferDebloater } from '../../src/runtime/buffer-debloater.js';

const MIB = 1 << 20;
const settings = { targetMs: 1000, minBytes: 64 * 1024, periodMs: 100 };

/** Feeds `bytesPerSecond` for `periods` periods of 100 ms; returns the limits after each. */
function run(debloater: BufferDebloater, start: number, bytesPerSecond: number, periods: number): { now: number; limits: number[][] } {
  let now = start;
  const limits: number[][] = [];
  for (let period = 0; period < periods; period++) {
    debloater.consumed(bytesPerSecond / 10);
    now += 100;
    debloater.update(now);
    limits.push([...debloater.limits]);
  }
  return { now, limits };
}

describe('buffer debloater', () => {
  it('starts at the minimum (or a smaller ring) until a period has been measured', () => {
    const debloater = new BufferDebloater(settings, [8 * MIB, 16 * 1024], 0);
    debloater.consumed(1000);
    expect(debloater.update(50)).toEqual([]);
    expect(debloater.limits).toEqual([64 * 1024, 16 * 1024]); // settings.minBytes is 64 KiB here
  });

  it('sizes each channel to its share of target × throughput, and follows a slower and a faster consumer', () => {
    const debloater = new BufferDebloater(settings, [8 * MIB, 8 * MIB], 0);
    // 4 MB/s for a second: 1 s of it is 4 MB, 2 MB per channel.
    let { now, limits } = run(debloater, 0, 4e6, 10);
    expect(limits.at(-1)![0]).toBeCloseTo(2e6, -4);
    expect(limits.at(-1)![1]).toBe(limits.at(-1)![0]);
    // The consumer slows to 1 MB/s: the limit falls to about 0.5 MB, smoothly.
    ({ now, limits } = run(debloater, now, 1e6, 30));
    expect(limits[0]![0]).toBeGreaterThan(limits.at(-1)![0]!);
    expect(limits.at(-1)![0]).toBeGreaterThan(0.45e6);
    expect(limits.at(-1)![0]).toBeLessThan(0.6e6);
    // And speeds up to 40 MB/s: 20 MB per channel is more than the ring holds.
    ({ limits } = run(debloater, now, 40e6, 30));
    expect(limits.at(-1)).toEqual([8 * MIB, 8 * MIB]);
  });

  it('never goes below the minimum, even with no input at all', () => {
    const debloater = new BufferDebloater(settings, [MIB], 0);
    const { limits } = run(debloater, 0, 0, 20);
    expect(limits.at(-1)).toEqual([64 * 1024]);
  });

  it('leaves a limit alone when the throughput moves by a few percent', () => {
    const debloater = new BufferDebloater(settings, [8 * MIB], 0);
    const { now } = run(debloater, 0, 2e6, 20);
    let changes = 0;
    let at = now;
    for (let period = 0; period < 20; period++) {
      debloater.consumed((2e6 * (period % 2 === 0 ? 1.04 : 0.96)) / 10);
      at += 100;
      changes += debloater.update(at).length;
    }
    expect(changes).toBe(0);
  });

  it('gives an ended channel\'s share to the others, and reports which limits changed', () => {
    const debloater = new BufferDebloater(settings, [8 * MIB, 8 * MIB, 8 * MIB], 0);
    const { now } = run(debloater, 0, 3e6, 10);
    expect(debloater.limits[0]).toBeCloseTo(1e6, -4);
    debloater.closed(2);
    debloater.consumed(3e5);
    const changed = debloater.update(now + 100);
    expect(changed).toEqual([0, 1]);
    expect(debloater.limits[0]).toBeCloseTo(1.5e6, -4);
  });

  it.each([
    [{ ...settings, targetMs: 0 }, 'debloat target must be a positive number of milliseconds, got 0'],
    [{ ...settings, minBytes: -1 }, 'debloat minimum must be a positive number of bytes, got -1'],
    [{ ...settings, periodMs: Number.NaN }, 'debloat period must be a positive number of milliseconds, got NaN'],
  ])('refuses %j', (bad, message) => {
    expect(() => new BufferDebloater(bad, [MIB], 0)).toThrow(message);
  });
});
