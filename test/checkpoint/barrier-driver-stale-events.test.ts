/**
 * The barrier handler driver owns the current checkpoint id: events of older checkpoints, and
 * of the current one once it is done, never reach a state (no action, no state change); a
 * newer checkpoint abandons the one in progress before it starts.
 */
import { describe, expect, it } from 'vitest';
import { ALIGNED, ALIGNED_TIMEOUT, AT_LEAST_ONCE, CHANNEL_STATE, Harness, WAITING, step } from './support/barrier-harness.js';

describe('barrier handler driver', () => {
  it('drops barriers, timeouts and aborts of an older checkpoint while one is in progress', () => {
    const h = new Harness(2, 'aligned-timeout');
    expect(h.barrier(0, 5)).toEqual(step(ALIGNED_TIMEOUT, 'startAlignmentTimer(5)', 'blockChannel(0)'));
    expect(h.barrier(1, 4)).toEqual(step(ALIGNED_TIMEOUT));
    expect(h.announce(1, 3, 10, true)).toEqual(step(ALIGNED_TIMEOUT));
    expect(h.timeout(4)).toEqual(step(ALIGNED_TIMEOUT));
    expect(h.abort(4)).toEqual(step(ALIGNED_TIMEOUT));
    expect(h.book.currentId).toBe(5);
  });

  it('drops events of the current checkpoint once it is done', () => {
    const h = new Harness(1, 'at-least-once');
    expect(h.barrier(0, 2)).toEqual(step(WAITING, 'takeSnapshot(2, false)', 'forwardBarrier(2, false)', 'unblockChannels()'));
    expect(h.barrier(0, 2)).toEqual(step(WAITING));
    expect(h.abort(2)).toEqual(step(WAITING));
    expect(h.timeout(2)).toEqual(step(WAITING));
  });

  it('drops an abort or timeout of a checkpoint not yet started', () => {
    const h = new Harness(2, 'aligned');
    expect(h.barrier(0, 1)).toEqual(step(ALIGNED, 'blockChannel(0)'));
    expect(h.abort(2)).toEqual(step(ALIGNED));
    expect(h.timeout(2)).toEqual(step(ALIGNED));
  });

  it('a newer barrier abandons the checkpoint in progress, then starts its own', () => {
    const h = new Harness(2, 'at-least-once');
    expect(h.barrier(0, 1)).toEqual(step(AT_LEAST_ONCE));
    expect(h.barrier(0, 3)).toEqual(step(AT_LEAST_ONCE, 'abortCheckpoint(1)', 'unblockChannels()'));
    expect(h.abortReasons()).toEqual(['checkpoint 3 arrived before checkpoint 1 completed']);
    expect(h.barrier(1, 1)).toEqual(step(AT_LEAST_ONCE));
    expect(h.book.currentId).toBe(3);
  });

  it('a newer announcement abandons an unaligned snapshot still collecting channel state', () => {
    const h = new Harness(2, 'unaligned');
    expect(h.announce(0, 1, 8)).toEqual(step(CHANNEL_STATE, 'takeSnapshot(1, true)', 'channelStateEndsAt(0, 8)', 'forwardBarrier(1, true)', 'unblockChannels()'));
    expect(h.announce(1, 0, 4)).toEqual(step(CHANNEL_STATE));
    expect(h.announce(0, 2, 16)).toEqual(
      step(CHANNEL_STATE, 'abortCheckpoint(1)', 'unblockChannels()', 'takeSnapshot(2, true)', 'channelStateEndsAt(0, 16)', 'forwardBarrier(2, true)', 'unblockChannels()'),
    );
  });
});
