/**
 * Doorbell.waitAsync in a worker thread that has nothing else to do: the parked wait keeps the
 * thread alive until it is rung or times out (a bare Atomics.waitAsync does not hold a Node
 * event loop open, and the thread would exit with its wait unsettled).
 */
import { describe, expect, it } from 'vitest';
import { Doorbell, DoorbellRinger } from '../../native-free-buffers/index.js';
import type { DoorbellWaitAsyncData, DoorbellWaitAsyncResult } from '../fixtures/buffers/messages.js';
import { runFixtures } from './support/workers.js';

describe('Doorbell.waitAsync in an idle worker', () => {
  it("stays parked until the timeout and reports 'timed-out'", { timeout: 20_000 }, async () => {
    const workerData: DoorbellWaitAsyncData = { doorbell: Doorbell.allocate(), timeoutMs: 50 };
    const [result] = (await runFixtures([{ fixture: 'doorbell-wait-async', workerData }])) as [DoorbellWaitAsyncResult];
    expect(result.outcome).toBe('timed-out');
    expect(result.parks).toBe(1);
  });

  it("stays parked until rung from another thread and reports 'rung'", { timeout: 20_000 }, async () => {
    const doorbell = Doorbell.allocate();
    const owner = new Doorbell(doorbell);
    const workerData: DoorbellWaitAsyncData = { doorbell, timeoutMs: 10_000 };
    const running = runFixtures([{ fixture: 'doorbell-wait-async', workerData }]);
    // Ring once the worker has parked (its park count goes up just before it awaits).
    const ringer = new DoorbellRinger(doorbell);
    const deadline = Date.now() + 10_000;
    while (owner.parks === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    ringer.ring();
    const [result] = (await running) as [DoorbellWaitAsyncResult];
    expect(result.outcome).toBe('rung');
    expect(result.parks).toBe(1);
  });
});
