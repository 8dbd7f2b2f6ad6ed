/**
 * A subtask's event time (EventTimeDriver) over a stand-in chain and output gate: the watermark
 * is the minimum over its channels and goes out only after the timers it makes due fired; the
 * first step fires at once, while the input gate reads, the rest in bounded steps that stop when
 * the subtask must look at something else (an unaligned barrier's announcement); a restored watermark is advanced to again at start, held
 * while restored in-flight data is replayed; idle channels stop holding it back, and a subtask
 * whose channels are all idle tells its consumers; the end of every input is +Infinity.
 */
import { describe, expect, it } from 'vitest';
import { EventTimeDriver } from '../../src/runtime/event-time-driver.js';
import type { OperatorChain } from '../../src/runtime/operator-chain.js';
import type { OutputGate } from '../../src/runtime/output-gate.js';

/** A chain whose timers take `steps[w]` calls to fire at watermark `w`, and an output gate that records watermarks. */
function setup(channels: number, restored?: number) {
  const fired: number[] = [];
  const pendingSteps = new Map<number, number>();
  const chain = {
    watermark: restored,
    fireEventTimers(watermark: number): boolean {
      fired.push(watermark);
      const left = (pendingSteps.get(watermark) ?? 1) - 1;
      pendingSteps.set(watermark, left);
      return left > 0;
    },
  };
  const sent: number[] = [];
  const outputs = { emitWatermark: (watermark: number) => void sent.push(watermark) };
  const driver = new EventTimeDriver(chain as unknown as OperatorChain, outputs as unknown as OutputGate, channels);
  return { driver, chain, fired, sent, stepsAt: (watermark: number, steps: number) => void pendingSteps.set(watermark, steps) };
}

const go = { shouldPause: () => false };

describe('event-time driver', () => {
  it('advances to the minimum over its channels and forwards once the timers fired', () => {
    const { driver, chain, sent } = setup(2);
    expect(driver.onWatermark(0, 100)).toBe(false); // channel 1 has none yet
    expect(sent).toEqual([]);
    // No timer step left after the first: forwarded at once, and the read pass goes on.
    expect(driver.onWatermark(1, 50)).toBe(false);
    expect(sent).toEqual([50]);
    expect(chain.watermark).toBe(50);
    expect(driver.onWatermark(1, 40)).toBe(false); // never back
    expect(driver.onWatermark(1, 120)).toBe(false);
    expect(sent).toEqual([50, 100]);
  });

  it('fires a timer storm in bounded steps, pausing between steps for an announcement, and forwards only at the end', () => {
    const { driver, fired, sent, stepsAt } = setup(1);
    stepsAt(1_000, 5);
    // The first step fires while the gate reads; more are due: the gate stops reading.
    expect(driver.onWatermark(0, 1_000)).toBe(true);
    expect(fired).toHaveLength(1);
    let announcements = 0;
    const announcementWaits = { shouldPause: () => (announcements++, true) };
    expect(driver.run(announcementWaits, Infinity)).toBe(false);
    expect(fired).toHaveLength(2);
    expect(announcements).toBe(1);
    expect(driver.busy).toBe(true);
    expect(sent).toEqual([]);
    expect(driver.run(go, Infinity)).toBe(true);
    expect(fired).toHaveLength(5);
    expect(sent).toEqual([1_000]);
    expect(driver.busy).toBe(false);
  });

  it('advances to a restored watermark at start, and holds later ones until the restored in-flight data is replayed', () => {
    const { driver, sent } = setup(2, 500);
    expect(driver.busy).toBe(true); // timers due at the restored watermark fire again
    driver.run(go, Infinity);
    expect(sent).toEqual([500]);
    driver.holdForReplay();
    expect(driver.onWatermark(0, 800)).toBe(false);
    expect(driver.onWatermark(1, 900)).toBe(false);
    expect(driver.current).toBe(500);
    expect(sent).toEqual([500]);
    driver.replayFinished();
    expect(driver.busy).toBe(true);
    driver.run(go, Infinity);
    expect(sent).toEqual([500, 800]);
  });

  it('lets idle channels stop holding the watermark back, and says idle downstream when all are', () => {
    const { driver, sent } = setup(2);
    driver.onWatermark(0, 100);
    expect(driver.onWatermark(1, NaN)).toBe(false); // channel 1 idle: channel 0 alone decides
    expect(sent).toEqual([100]);
    driver.onWatermark(0, NaN);
    expect(sent).toEqual([100, NaN]);
    driver.onWatermark(0, NaN);
    expect(sent).toEqual([100, NaN]); // once
    driver.onWatermark(1, 300); // active again
    expect(sent).toEqual([100, NaN, 300]);
  });

  it('reaches +Infinity when every input ended', () => {
    const { driver, sent } = setup(2);
    driver.onWatermark(0, 10);
    expect(driver.onEndOfPartition(0)).toBe(false);
    expect(driver.onEndOfPartition(1)).toBe(false);
    expect(sent).toEqual([Infinity]);
  });

  it('forwards what a source emits, and a source that was idle sends its watermark again when it reads records', () => {
    const { driver, sent } = setup(0);
    driver.sourceBatch(200, true);
    driver.run(go, Infinity);
    driver.sourceIdle();
    driver.sourceIdle();
    driver.sourceBatch(undefined, true);
    driver.run(go, Infinity);
    expect(sent).toEqual([200, NaN, 200]);
  });
});
