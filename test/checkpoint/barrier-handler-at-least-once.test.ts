/**
 * At-least-once checkpoints (docs/design.md, Checkpoints, Modes): barriers travel in-band but never
 * block a channel, and there is no channel state. The subtask snapshots (not unaligned:
 * takeSnapshot(id, false)) and forwards barrier n once it has arrived on every channel.
 */
import { describe, expect, it } from 'vitest';
import { AT_LEAST_ONCE, Harness, WAITING, step } from './support/barrier-harness.js';

// completeIfAligned also calls unblockChannels() here, although nothing was blocked: harmless, and pinned.
const complete = (id: number): string[] => [`takeSnapshot(${id}, false)`, `forwardBarrier(${id}, false)`, 'unblockChannels()'];

describe('at-least-once barrier handler', () => {
  it('one channel: the barrier snapshots and forwards at once, without blocking', () => {
    const h = new Harness(1, 'at-least-once');
    expect(h.barrier(0, 1)).toEqual(step(WAITING, ...complete(1)));
    expect(h.barrier(0, 2)).toEqual(step(WAITING, ...complete(2)));
  });

  it('three channels: never blocks, and snapshots only after the last barrier', () => {
    const h = new Harness(3, 'at-least-once');
    expect(h.barrier(2, 1)).toEqual(step(AT_LEAST_ONCE));
    expect(h.barrier(0, 1)).toEqual(step(AT_LEAST_ONCE));
    expect(h.barrier(1, 1)).toEqual(step(WAITING, ...complete(1)));
    expect(h.barrier(1, 2)).toEqual(step(AT_LEAST_ONCE));
    expect(h.barrier(2, 2)).toEqual(step(AT_LEAST_ONCE));
    expect(h.barrier(0, 2)).toEqual(step(WAITING, ...complete(2)));
    expect(h.actions.log.map((a) => a.kind)).not.toContain('blockChannel');
  });

  it('ignores announcements, while waiting and while collecting', () => {
    const h = new Harness(2, 'at-least-once');
    expect(h.announce(0, 1, 10)).toEqual(step(WAITING));
    expect(h.barrier(0, 1)).toEqual(step(AT_LEAST_ONCE));
    expect(h.announce(1, 1, 20)).toEqual(step(AT_LEAST_ONCE));
    expect(h.announce(0, 2, 30)).toEqual(step(AT_LEAST_ONCE)); // not even a newer one
    expect(h.barrier(1, 1)).toEqual(step(WAITING, ...complete(1)));
  });

  it('end of partition counts as the barrier: before a checkpoint, during one, and for later ones', () => {
    const h = new Harness(3, 'at-least-once');
    expect(h.end(0)).toEqual(step(WAITING));
    expect(h.barrier(1, 1)).toEqual(step(AT_LEAST_ONCE));
    expect(h.end(2)).toEqual(step(WAITING, ...complete(1)));
    expect(h.barrier(1, 2)).toEqual(step(WAITING, ...complete(2)));
  });

  it('a newer barrier before completion aborts the old checkpoint (nothing to unblock, but it still says so) and starts the new one', () => {
    const h = new Harness(2, 'at-least-once');
    h.barrier(0, 1);
    // Channel 0 is not blocked, so its barrier 2 can come before channel 1's barrier 1.
    expect(h.barrier(0, 2)).toEqual(step(AT_LEAST_ONCE, 'abortCheckpoint(1)', 'unblockChannels()'));
    expect(h.abortReasons()).toEqual(['checkpoint 2 arrived before checkpoint 1 completed']);
    expect(h.barrier(1, 1)).toEqual(step(AT_LEAST_ONCE)); // stale
    expect(h.barrier(1, 2)).toEqual(step(WAITING, ...complete(2)));
    expect(h.barrier(1, 2)).toEqual(step(WAITING)); // stale while waiting
  });

  it('the same barrier twice on one channel is ignored (unlike aligned mode, it does not throw)', () => {
    const h = new Harness(2, 'at-least-once');
    h.barrier(0, 1);
    expect(h.barrier(0, 1)).toEqual(step(AT_LEAST_ONCE));
    expect(h.barrier(1, 1)).toEqual(step(WAITING, ...complete(1)));
  });

  it('abort of the current checkpoint returns to waiting with nothing to do; its late barriers are stale', () => {
    const h = new Harness(2, 'at-least-once');
    h.barrier(0, 1);
    expect(h.abort(2)).toEqual(step(AT_LEAST_ONCE));
    expect(h.abort(1)).toEqual(step(WAITING));
    expect(h.barrier(1, 1)).toEqual(step(WAITING));
  });

  it('ignores alignment timeouts', () => {
    const h = new Harness(2, 'at-least-once');
    h.barrier(0, 1);
    expect(h.timeout(1)).toEqual(step(AT_LEAST_ONCE));
  });
});
