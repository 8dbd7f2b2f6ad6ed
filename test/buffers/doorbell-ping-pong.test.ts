/**
 * Thousands of park/wake cycles between two worker threads through two doorbells (spin 0):
 * each worker moves a shared ball, rings the other, and parks until the ball comes back. A lost
 * wake-up leaves both parked, which the fixture reports as a failure after its stall timeout.
 */
import { describe, expect, it } from 'vitest';
import { Doorbell } from '../../native-free-buffers/index.js';
import type { DoorbellPongData, DoorbellPongResult } from '../fixtures/buffers/messages.js';
import { damagedDoorbellCanaries, plantDoorbellCanaries } from './support/canaries.js';
import { runFixtures } from './support/workers.js';

async function pingPong(roundTrips: number, waitAsync: readonly [boolean, boolean]): Promise<DoorbellPongResult[]> {
  const doorbells = [Doorbell.allocate(), Doorbell.allocate()] as const;
  for (const doorbell of doorbells) plantDoorbellCanaries(doorbell);
  const ball = new SharedArrayBuffer(4);
  const side = (parity: 0 | 1): DoorbellPongData => ({
    ownDoorbell: doorbells[parity],
    peerDoorbell: doorbells[1 - parity]!,
    ball,
    parity,
    roundTrips,
    waitAsync: waitAsync[parity],
  });
  const results = (await runFixtures([
    { fixture: 'doorbell-pong', workerData: side(0) },
    { fixture: 'doorbell-pong', workerData: side(1) },
  ])) as DoorbellPongResult[];
  expect(Atomics.load(new Int32Array(ball), 0)).toBe(2 * roundTrips);
  for (const doorbell of doorbells) expect(damagedDoorbellCanaries(doorbell)).toEqual([]);
  return results;
}

describe('doorbell ping-pong between two workers', () => {
  it('completes 5,000 round trips parked with wait, with no lost wake-up', { timeout: 30_000 }, async () => {
    const results = await pingPong(5_000, [false, false]);
    for (const result of results) {
      expect(result.moves).toBe(5_000);
      // Spin 0: every wait that found the ball away went through a real park.
      expect(result.parks).toBeGreaterThan(0);
      expect(result.parks).toBeLessThanOrEqual(result.waits);
    }
  });

  it('completes 2,000 round trips with one side parked with waitAsync', { timeout: 30_000 }, async () => {
    const results = await pingPong(2_000, [true, false]);
    for (const result of results) {
      expect(result.moves).toBe(2_000);
      expect(result.parks).toBeGreaterThan(0);
    }
  });
});
