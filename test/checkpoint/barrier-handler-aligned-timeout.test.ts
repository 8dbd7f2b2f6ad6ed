/**
 * Aligned checkpoints with timeout (docs/design.md, Checkpoints, Modes and the position rule): a
 * checkpoint starts aligned with its timer armed; it completes aligned when every barrier arrives
 * in time, and otherwise switches to unaligned using the announcements it already has. Producers
 * always announce; the in-band barrier sits at the announced position, and after a switch it is
 * skipped when the subtask reaches it.
 */
import { describe, expect, it } from 'vitest';
import { ALIGNED_TIMEOUT, CHANNEL_STATE, Harness, WAITING, step } from './support/barrier-harness.js';

const completeAligned = (id: number): string[] => [`takeSnapshot(${id}, false)`, `forwardBarrier(${id}, false)`, 'unblockChannels()'];
const snapshot = (id: number): string => `takeSnapshot(${id}, true)`;
const forward = (id: number): string[] => [`forwardBarrier(${id}, true)`, 'unblockChannels()'];

describe('aligned-with-timeout barrier handler', () => {
  it('the first announcement starts the checkpoint aligned and arms its timer; announcements only record positions', () => {
    const h = new Harness(3, 'aligned-timeout');
    expect(h.announce(0, 1, 100)).toEqual(step(ALIGNED_TIMEOUT, 'startAlignmentTimer(1)'));
    expect(h.announce(1, 1, 200)).toEqual(step(ALIGNED_TIMEOUT));
    expect(h.announce(2, 1, 300)).toEqual(step(ALIGNED_TIMEOUT)); // all announced: still aligning, no snapshot
    expect(h.book.announced).toEqual([100, 200, 300]);
  });

  it('a first in-band barrier also starts the checkpoint, arms the timer, and blocks its channel', () => {
    const h = new Harness(2, 'aligned-timeout');
    expect(h.barrier(1, 1)).toEqual(step(ALIGNED_TIMEOUT, 'startAlignmentTimer(1)', 'blockChannel(1)'));
  });

  it('one channel: announcement, then barrier, completes aligned', () => {
    const h = new Harness(1, 'aligned-timeout');
    expect(h.announce(0, 1, 40)).toEqual(step(ALIGNED_TIMEOUT, 'startAlignmentTimer(1)'));
    expect(h.barrier(0, 1)).toEqual(step(WAITING, 'blockChannel(0)', ...completeAligned(1)));
  });

  it('all barriers before the timeout: completes aligned, with no channel state, forwarding aligned; the late timer is ignored', () => {
    const h = new Harness(2, 'aligned-timeout');
    h.announce(0, 1, 100);
    h.announce(1, 1, 50);
    expect(h.barrier(1, 1)).toEqual(step(ALIGNED_TIMEOUT, 'blockChannel(1)'));
    expect(h.barrier(0, 1)).toEqual(step(WAITING, 'blockChannel(0)', ...completeAligned(1)));
    expect(h.timeout(1)).toEqual(step(WAITING));
    expect(h.actions.log.map((a) => a.kind)).not.toContain('channelStateEndsAt');
  });

  it('timeout: snapshots unaligned; arrived channels get no channel-state end, announced ones settle at their positions, ended ones at end, the rest later', () => {
    const h = new Harness(4, 'aligned-timeout');
    expect(h.end(3)).toEqual(step(WAITING));
    expect(h.announce(0, 1, 100)).toEqual(step(ALIGNED_TIMEOUT, 'startAlignmentTimer(1)'));
    expect(h.barrier(0, 1)).toEqual(step(ALIGNED_TIMEOUT, 'blockChannel(0)'));
    expect(h.announce(1, 1, 200)).toEqual(step(ALIGNED_TIMEOUT));
    // Channel 0: blocked right after its barrier, nothing in flight, so no channelStateEndsAt(0, ...).
    // Channel 1: announced, barrier not reached: its channel state ends at 200.
    // Channel 2: nothing known yet. Channel 3: ended.
    expect(h.timeout(1)).toEqual(
      step(CHANNEL_STATE, snapshot(1), 'channelStateEndsAt(1, 200)', 'channelStateEndsAt(3, end)', ...forward(1)),
    );
    // Channel 1's in-band barrier is reached later and skipped.
    expect(h.barrier(1, 1)).toEqual(step(CHANNEL_STATE));
    // Channel 2 is settled by its announcement, which completes the channel state.
    expect(h.announce(2, 1, 300)).toEqual(step(WAITING, 'channelStateEndsAt(2, 300)'));
    // Channel 2's in-band barrier, reached back in waiting, is stale too; so is the timer.
    expect(h.barrier(2, 1)).toEqual(step(WAITING));
    expect(h.timeout(1)).toEqual(step(WAITING));
    // The next checkpoint starts aligned again.
    expect(h.announce(0, 2, 400)).toEqual(step(ALIGNED_TIMEOUT, 'startAlignmentTimer(2)'));
  });

  it('timeout with every channel either arrived or announced goes straight back to waiting', () => {
    const h = new Harness(2, 'aligned-timeout');
    h.announce(0, 1, 10);
    h.barrier(0, 1);
    h.announce(1, 1, 20);
    expect(h.timeout(1)).toEqual(step(WAITING, snapshot(1), 'channelStateEndsAt(1, 20)', ...forward(1)));
    expect(h.barrier(1, 1)).toEqual(step(WAITING));
  });

  it('an announcement with unaligned=true (upstream timed out) switches at once', () => {
    const h = new Harness(3, 'aligned-timeout');
    h.announce(0, 1, 100);
    expect(h.barrier(0, 1)).toEqual(step(ALIGNED_TIMEOUT, 'blockChannel(0)'));
    expect(h.announce(1, 1, 40, true)).toEqual(step(CHANNEL_STATE, snapshot(1), 'channelStateEndsAt(1, 40)', ...forward(1)));
    expect(h.announce(2, 1, 10)).toEqual(step(WAITING, 'channelStateEndsAt(2, 10)'));
    expect(h.barrier(2, 1)).toEqual(step(WAITING));
  });

  it('an unaligned announcement as the first event starts the checkpoint (arming the timer) and switches in the same event', () => {
    const h = new Harness(2, 'aligned-timeout');
    expect(h.announce(1, 1, 40, true)).toEqual(
      step(CHANNEL_STATE, 'startAlignmentTimer(1)', snapshot(1), 'channelStateEndsAt(1, 40)', ...forward(1)),
    );
    expect(h.timeout(1)).toEqual(step(CHANNEL_STATE)); // the switch is done; the timer changes nothing
    expect(h.announce(0, 1, 16)).toEqual(step(WAITING, 'channelStateEndsAt(0, 16)'));
  });

  it('ignores the timeout of another checkpoint', () => {
    const h = new Harness(2, 'aligned-timeout');
    h.announce(0, 2, 100);
    expect(h.timeout(1)).toEqual(step(ALIGNED_TIMEOUT));
    expect(h.timeout(3)).toEqual(step(ALIGNED_TIMEOUT));
    expect(h.timeout(2)).toEqual(step(CHANNEL_STATE, snapshot(2), 'channelStateEndsAt(0, 100)', ...forward(2)));
  });

  it('end of partition while aligning counts as the barrier; while collecting channel state it settles with end', () => {
    const h = new Harness(3, 'aligned-timeout');
    h.announce(0, 1, 10);
    expect(h.barrier(0, 1)).toEqual(step(ALIGNED_TIMEOUT, 'blockChannel(0)'));
    expect(h.end(1)).toEqual(step(ALIGNED_TIMEOUT));
    expect(h.announce(2, 1, 30)).toEqual(step(ALIGNED_TIMEOUT));
    expect(h.barrier(2, 1)).toEqual(step(WAITING, 'blockChannel(2)', ...completeAligned(1)));

    h.announce(0, 2, 50);
    expect(h.timeout(2)).toEqual(step(CHANNEL_STATE, snapshot(2), 'channelStateEndsAt(0, 50)', 'channelStateEndsAt(1, end)', ...forward(2)));
    expect(h.end(2)).toEqual(step(WAITING, 'channelStateEndsAt(2, end)'));
  });

  it('a newer announcement while aligning aborts the old checkpoint, unblocks, and starts the new one with its own timer', () => {
    const h = new Harness(2, 'aligned-timeout');
    h.announce(0, 1, 10);
    h.barrier(0, 1);
    expect(h.announce(0, 2, 20)).toEqual(step(ALIGNED_TIMEOUT, 'abortCheckpoint(1)', 'unblockChannels()', 'startAlignmentTimer(2)'));
    expect(h.announce(1, 1, 5)).toEqual(step(ALIGNED_TIMEOUT)); // stale
    expect(h.barrier(1, 1)).toEqual(step(ALIGNED_TIMEOUT)); // stale
    expect(h.timeout(1)).toEqual(step(ALIGNED_TIMEOUT)); // the old timer
    h.announce(1, 2, 15);
    expect(h.barrier(0, 2)).toEqual(step(ALIGNED_TIMEOUT, 'blockChannel(0)'));
    expect(h.barrier(1, 2)).toEqual(step(WAITING, 'blockChannel(1)', ...completeAligned(2)));
  });

  it('a newer announcement while collecting channel state aborts the old checkpoint', () => {
    const h = new Harness(2, 'aligned-timeout');
    h.announce(0, 1, 10);
    h.timeout(1);
    expect(h.announce(0, 2, 30)).toEqual(step(ALIGNED_TIMEOUT, 'abortCheckpoint(1)', 'unblockChannels()', 'startAlignmentTimer(2)'));
    expect(h.announce(1, 1, 20)).toEqual(step(ALIGNED_TIMEOUT)); // stale
  });

  it('a newer in-band barrier while collecting channel state aborts the old checkpoint and starts aligning the new one', () => {
    const h = new Harness(2, 'aligned-timeout');
    h.announce(0, 1, 10);
    h.timeout(1);
    expect(h.barrier(0, 2)).toEqual(
      step(ALIGNED_TIMEOUT, 'abortCheckpoint(1)', 'unblockChannels()', 'startAlignmentTimer(2)', 'blockChannel(0)'),
    );
  });

  it('after the switch, an in-band barrier on a channel whose announcement has not arrived throws, naming the state', () => {
    const h = new Harness(2, 'aligned-timeout');
    h.announce(0, 1, 10);
    h.timeout(1);
    expect(() => h.barrier(1, 1)).toThrow(/in state collecting-channel-state cannot take barrierReceived \(channel 1 reached barrier 1 before its announcement\)/);
  });

  it('the same barrier twice on one channel throws an error naming the state', () => {
    const h = new Harness(2, 'aligned-timeout');
    h.announce(0, 1, 10);
    h.barrier(0, 1);
    expect(() => h.barrier(0, 1)).toThrow('barrier 1 arrived twice on channel 0 (state collecting-aligned-timeout)');
  });

  it('abort of the current checkpoint while aligning unblocks and returns to waiting; its timer and late barriers are ignored', () => {
    const h = new Harness(2, 'aligned-timeout');
    h.announce(0, 1, 10);
    h.barrier(0, 1);
    expect(h.abort(2)).toEqual(step(ALIGNED_TIMEOUT));
    expect(h.abort(1)).toEqual(step(WAITING, 'unblockChannels()'));
    expect(h.timeout(1)).toEqual(step(WAITING));
    expect(h.announce(1, 1, 20, true)).toEqual(step(WAITING));
    expect(h.barrier(1, 1)).toEqual(step(WAITING));
  });

  it('abort of the current checkpoint while collecting channel state returns to waiting', () => {
    const h = new Harness(2, 'aligned-timeout');
    h.announce(0, 1, 10);
    h.timeout(1);
    expect(h.abort(1)).toEqual(step(WAITING));
    expect(h.announce(1, 1, 20)).toEqual(step(WAITING));
  });
});
