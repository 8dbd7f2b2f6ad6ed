/**
 * Doorbell on one thread: the owner samples the event count, and a wait on that sample returns
 * at once when a ring came in between (without parking), times out when nothing rings, and is
 * woken by a ring while parked. A ringer notifies only an owner that said it is parked.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Doorbell, DoorbellRinger } from '../../native-free-buffers/index.js';
import { DOORBELL_PARKED, DOORBELL_SEQ } from '../../native-free-buffers/layout.js';

function doorbell(spin: number): { bell: Doorbell; ringer: DoorbellRinger } {
  const buffer = Doorbell.allocate();
  return { bell: new Doorbell(buffer, { spin }), ringer: new DoorbellRinger(buffer) };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('doorbell', () => {
  it('counts rings in its event count', () => {
    const { bell, ringer } = doorbell(0);
    const first = bell.sample();
    ringer.ring();
    ringer.ring();
    expect(bell.sample()).toBe(first + 2);
  });

  for (const spin of [0, 200]) {
    it(`returns 'rung' at once from wait when a ring came after the sample (spin ${spin}), without parking`, () => {
      const { bell, ringer } = doorbell(spin);
      const sampled = bell.sample();
      ringer.ring();
      // Were the ring missed, this would park for the whole timeout and return 'timed-out'.
      expect(bell.wait(sampled, 5_000)).toBe('rung');
      expect(bell.parks).toBe(0);
    });

    it(`returns 'rung' at once from waitAsync when a ring came after the sample (spin ${spin})`, async () => {
      const { bell, ringer } = doorbell(spin);
      const sampled = bell.sample();
      ringer.ring();
      expect(await bell.waitAsync(sampled, 5_000)).toBe('rung');
      expect(bell.parks).toBe(0);
    });
  }

  it("returns 'timed-out' from wait when nothing rings, after parking once", () => {
    const { bell } = doorbell(0);
    expect(bell.wait(bell.sample(), 20)).toBe('timed-out');
    expect(bell.parks).toBe(1);
    expect(doorbell(200).bell.wait(0, 1)).toBe('timed-out');
  });

  it("returns 'timed-out' from waitAsync when nothing rings", async () => {
    const { bell } = doorbell(0);
    expect(await bell.waitAsync(bell.sample(), 20)).toBe('timed-out');
    expect(bell.parks).toBe(1);
  });

  it('wakes a waitAsync parked on this thread when a ring comes in', async () => {
    const { bell, ringer } = doorbell(0);
    const parked = bell.waitAsync(bell.sample(), 10_000);
    setTimeout(() => ringer.ring(), 10);
    expect(await parked).toBe('rung');
    expect(bell.parks).toBe(1);
  });

  it('notifies only when the owner is parked', async () => {
    const { bell, ringer } = doorbell(0);
    const notify = vi.spyOn(Atomics, 'notify');
    ringer.ring();
    expect(notify).not.toHaveBeenCalled();
    const parked = bell.waitAsync(bell.sample(), 10_000);
    ringer.ring();
    expect(notify).toHaveBeenCalledTimes(1);
    expect(await parked).toBe('rung');
    // Unparked again: no more notifies.
    ringer.ring();
    expect(notify).toHaveBeenCalledTimes(1);
  });

  it('adds to the count before it reads PARKED, and the owner stores PARKED before it re-reads the count', () => {
    // The two orders that make a lost wake-up impossible (README, Doorbell): either the owner
    // sees the increment and does not park, or the ringer sees PARKED and notifies. The race they
    // close is too narrow to hit reliably between threads, so the order itself is checked here.
    const { bell, ringer } = doorbell(0);
    const calls: string[] = [];
    const realAdd = Atomics.add.bind(Atomics);
    const realLoad = Atomics.load.bind(Atomics);
    const realStore = Atomics.store.bind(Atomics);
    vi.spyOn(Atomics, 'add').mockImplementation(((array: Int32Array, index: number, value: number) => {
      calls.push(`add:${index}`);
      return realAdd(array, index, value);
    }) as typeof Atomics.add);
    vi.spyOn(Atomics, 'load').mockImplementation(((array: Int32Array, index: number) => {
      calls.push(`load:${index}`);
      return realLoad(array, index);
    }) as typeof Atomics.load);
    vi.spyOn(Atomics, 'store').mockImplementation(((array: Int32Array, index: number, value: number) => {
      calls.push(`store:${index}`);
      return realStore(array, index, value);
    }) as typeof Atomics.store);

    ringer.ring();
    expect(calls.indexOf(`add:${DOORBELL_SEQ}`)).toBeGreaterThanOrEqual(0);
    expect(calls.indexOf(`add:${DOORBELL_SEQ}`)).toBeLessThan(calls.indexOf(`load:${DOORBELL_PARKED}`));

    calls.length = 0;
    const sampled = realLoad(new Int32Array(bell.buffer), DOORBELL_SEQ);
    bell.wait(sampled, 1);
    const parked = calls.indexOf(`store:${DOORBELL_PARKED}`);
    expect(parked).toBeGreaterThanOrEqual(0);
    expect(calls.indexOf(`load:${DOORBELL_SEQ}`, parked)).toBeGreaterThan(parked);
  });

  it('rejects a spin that is not a non-negative integer', () => {
    const buffer = Doorbell.allocate();
    for (const spin of [-1, 1.5, Number.NaN]) expect(() => new Doorbell(buffer, { spin })).toThrow(TypeError);
  });
});
