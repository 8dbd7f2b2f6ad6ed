/**
 * Unaligned checkpoints (docs/design.md, Checkpoints, Modes and the position rule): on the first
 * announcement of checkpoint n the subtask snapshots at once, forwards announcements, and
 * records each channel's in-flight data until that channel's announced position (or its end)
 * is known. Barriers travel on the priority lane only: unaligned producers send no in-band frame.
 */
import { describe, expect, it } from 'vitest';
import { CHANNEL_STATE, Harness, WAITING, step } from './support/barrier-harness.js';

const snapshot = (id: number): string => `takeSnapshot(${id}, true)`;
const forward = (id: number): string[] => [`forwardBarrier(${id}, true)`, 'unblockChannels()'];

describe('unaligned barrier handler', () => {
  it('one channel: the announcement snapshots unaligned, settles the channel at its position, forwards unaligned, and is done', () => {
    const h = new Harness(1, 'unaligned');
    expect(h.announce(0, 1, 64, true)).toEqual(step(WAITING, snapshot(1), 'channelStateEndsAt(0, 64)', ...forward(1)));
    expect(h.announce(0, 2, 128, true)).toEqual(step(WAITING, snapshot(2), 'channelStateEndsAt(0, 128)', ...forward(2)));
  });

  it('three channels: snapshots on the first announcement, settles the others as theirs arrive, and waits only once all are settled', () => {
    const h = new Harness(3, 'unaligned');
    expect(h.announce(1, 1, 100, true)).toEqual(step(CHANNEL_STATE, snapshot(1), 'channelStateEndsAt(1, 100)', ...forward(1)));
    expect(h.announce(0, 1, 40, true)).toEqual(step(CHANNEL_STATE, 'channelStateEndsAt(0, 40)'));
    expect(h.announce(2, 1, 8, true)).toEqual(step(WAITING, 'channelStateEndsAt(2, 8)'));
    // The next checkpoint starts from scratch.
    expect(h.announce(2, 2, 72, true)).toEqual(step(CHANNEL_STATE, snapshot(2), 'channelStateEndsAt(2, 72)', ...forward(2)));
  });

  it('never blocks a channel and never arms an alignment timer', () => {
    const h = new Harness(2, 'unaligned');
    h.announce(0, 1, 8, true);
    h.announce(1, 1, 8, true);
    expect(h.actions.log.map((a) => a.kind)).not.toContain('blockChannel');
    expect(h.actions.log.map((a) => a.kind)).not.toContain('startAlignmentTimer');
  });

  it('channels ended before the snapshot are settled with end at the snapshot, in channel order', () => {
    const h = new Harness(3, 'unaligned');
    expect(h.end(0)).toEqual(step(WAITING));
    expect(h.announce(2, 1, 16, true)).toEqual(
      step(CHANNEL_STATE, snapshot(1), 'channelStateEndsAt(0, end)', 'channelStateEndsAt(2, 16)', ...forward(1)),
    );
    expect(h.announce(1, 1, 24, true)).toEqual(step(WAITING, 'channelStateEndsAt(1, 24)'));
    // An ended channel is settled with end for every later checkpoint too.
    expect(h.announce(1, 2, 48, true)).toEqual(
      step(CHANNEL_STATE, snapshot(2), 'channelStateEndsAt(0, end)', 'channelStateEndsAt(1, 48)', ...forward(2)),
    );
  });

  it('with every other channel ended, one announcement completes the checkpoint', () => {
    const h = new Harness(2, 'unaligned');
    h.end(1);
    expect(h.announce(0, 1, 16, true)).toEqual(
      step(WAITING, snapshot(1), 'channelStateEndsAt(0, 16)', 'channelStateEndsAt(1, end)', ...forward(1)),
    );
  });

  it('end of partition while collecting channel state settles that channel with end', () => {
    const h = new Harness(3, 'unaligned');
    h.announce(0, 1, 8, true);
    expect(h.end(2)).toEqual(step(CHANNEL_STATE, 'channelStateEndsAt(2, end)'));
    expect(h.end(1)).toEqual(step(WAITING, 'channelStateEndsAt(1, end)'));
  });

  it('end of partition of a channel already settled adds nothing', () => {
    const h = new Harness(2, 'unaligned');
    h.announce(0, 1, 8, true);
    expect(h.end(0)).toEqual(step(CHANNEL_STATE));
    expect(h.announce(1, 1, 16, true)).toEqual(step(WAITING, 'channelStateEndsAt(1, 16)'));
  });

  it('a newer checkpoint\'s announcement while collecting channel state aborts the old one and snapshots the new one', () => {
    const h = new Harness(3, 'unaligned');
    h.announce(0, 1, 10, true);
    expect(h.announce(0, 2, 50, true)).toEqual(
      step(CHANNEL_STATE, 'abortCheckpoint(1)', 'unblockChannels()', snapshot(2), 'channelStateEndsAt(0, 50)', ...forward(2)),
    );
    expect(h.abortReasons()).toEqual(['checkpoint 2 arrived before checkpoint 1 completed']);
    expect(h.announce(1, 1, 20, true)).toEqual(step(CHANNEL_STATE)); // stale
    expect(h.announce(1, 2, 30, true)).toEqual(step(CHANNEL_STATE, 'channelStateEndsAt(1, 30)'));
    expect(h.announce(2, 2, 40, true)).toEqual(step(WAITING, 'channelStateEndsAt(2, 40)'));
  });

  it('ignores stale announcements, while collecting channel state and while waiting', () => {
    const h = new Harness(2, 'unaligned');
    h.announce(0, 2, 10, true);
    expect(h.announce(1, 1, 5, true)).toEqual(step(CHANNEL_STATE));
    expect(h.announce(0, 2, 10, true)).toEqual(step(CHANNEL_STATE)); // the current one again, on a settled channel
    expect(h.announce(1, 2, 12, true)).toEqual(step(WAITING, 'channelStateEndsAt(1, 12)'));
    expect(h.announce(1, 1, 5, true)).toEqual(step(WAITING));
    expect(h.announce(1, 2, 12, true)).toEqual(step(WAITING));
  });

  it('abort of the current checkpoint while collecting channel state returns to waiting; its late announcements are stale', () => {
    const h = new Harness(2, 'unaligned');
    h.announce(0, 1, 10, true);
    expect(h.abort(2)).toEqual(step(CHANNEL_STATE)); // not the current one
    expect(h.abort(1)).toEqual(step(WAITING));
    expect(h.announce(1, 1, 20, true)).toEqual(step(WAITING));
    expect(h.end(1)).toEqual(step(WAITING));
  });

  it('ignores alignment timeouts', () => {
    const h = new Harness(2, 'unaligned');
    expect(h.timeout(1)).toEqual(step(WAITING));
    h.announce(0, 1, 10, true);
    expect(h.timeout(1)).toEqual(step(CHANNEL_STATE));
  });

  it('refuses an in-band barrier (unaligned producers send none) with an error naming the mode and the state', () => {
    const h = new Harness(2, 'unaligned');
    expect(() => h.barrier(0, 1)).toThrow(/\(unaligned\) in state collecting-unaligned-barriers cannot take barrierReceived/);
    expect(h.actions.log).toEqual([]);
  });

  it('refuses an in-band barrier of the current checkpoint on a channel not yet settled, naming the state', () => {
    const h = new Harness(2, 'unaligned');
    h.announce(0, 1, 10, true);
    expect(() => h.barrier(1, 1)).toThrow(/in state collecting-channel-state cannot take barrierReceived \(channel 1 reached barrier 1 before its announcement\)/);
  });
});
