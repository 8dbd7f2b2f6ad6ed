/**
 * Aligned checkpoints (docs/design.md, Checkpoints, Modes): a subtask blocks each channel on which
 * barrier n arrived until it has arrived on all, then snapshots and forwards barrier n in-band.
 * Every event is checked for the exact actions it causes and the state it leaves.
 */
import { describe, expect, it } from 'vitest';
import { ALIGNED, Harness, WAITING, step } from './support/barrier-harness.js';

const complete = (id: number): string[] => [`takeSnapshot(${id}, false)`, `forwardBarrier(${id}, false)`, 'unblockChannels()'];

describe('aligned barrier handler', () => {
  it('starts waiting, with nothing done', () => {
    const h = new Harness(2, 'aligned');
    expect(h.state.name).toBe(WAITING);
    expect(h.actions.log).toEqual([]);
  });

  it('one channel: the barrier blocks, snapshots aligned, forwards in-band, unblocks, and the handler is back waiting', () => {
    const h = new Harness(1, 'aligned');
    expect(h.barrier(0, 1)).toEqual(step(WAITING, 'blockChannel(0)', ...complete(1)));
    expect(h.barrier(0, 2)).toEqual(step(WAITING, 'blockChannel(0)', ...complete(2)));
  });

  it('three channels: blocks each channel as its barrier arrives and snapshots only after the last', () => {
    const h = new Harness(3, 'aligned');
    expect(h.barrier(1, 1)).toEqual(step(ALIGNED, 'blockChannel(1)'));
    expect(h.barrier(0, 1)).toEqual(step(ALIGNED, 'blockChannel(0)'));
    expect(h.barrier(2, 1)).toEqual(step(WAITING, 'blockChannel(2)', ...complete(1)));
    // The next checkpoint aligns from scratch: no channel counts as arrived any more.
    expect(h.barrier(2, 2)).toEqual(step(ALIGNED, 'blockChannel(2)'));
    expect(h.barrier(1, 2)).toEqual(step(ALIGNED, 'blockChannel(1)'));
    expect(h.barrier(0, 2)).toEqual(step(WAITING, 'blockChannel(0)', ...complete(2)));
  });

  it('ignores announcements: they start no checkpoint while waiting and change nothing while aligning', () => {
    const h = new Harness(2, 'aligned');
    expect(h.announce(0, 1, 64)).toEqual(step(WAITING));
    expect(h.announce(1, 1, 32, true)).toEqual(step(WAITING));
    expect(h.book.currentId).toBe(0);
    expect(h.barrier(0, 1)).toEqual(step(ALIGNED, 'blockChannel(0)'));
    expect(h.announce(1, 1, 32)).toEqual(step(ALIGNED));
    expect(h.announce(1, 2, 96, true)).toEqual(step(ALIGNED)); // not even a newer one
    expect(h.barrier(1, 1)).toEqual(step(WAITING, 'blockChannel(1)', ...complete(1)));
  });

  it('end of partition before a checkpoint: the ended channel counts as arrived for every later checkpoint', () => {
    const h = new Harness(3, 'aligned');
    expect(h.end(1)).toEqual(step(WAITING));
    expect(h.barrier(0, 1)).toEqual(step(ALIGNED, 'blockChannel(0)'));
    expect(h.barrier(2, 1)).toEqual(step(WAITING, 'blockChannel(2)', ...complete(1)));
    expect(h.barrier(2, 2)).toEqual(step(ALIGNED, 'blockChannel(2)'));
    expect(h.barrier(0, 2)).toEqual(step(WAITING, 'blockChannel(0)', ...complete(2)));
  });

  it('end of partition during a checkpoint counts as that channel\'s barrier, and the channel stays arrived afterwards', () => {
    const h = new Harness(3, 'aligned');
    expect(h.barrier(0, 1)).toEqual(step(ALIGNED, 'blockChannel(0)'));
    expect(h.end(2)).toEqual(step(ALIGNED));
    expect(h.barrier(1, 1)).toEqual(step(WAITING, 'blockChannel(1)', ...complete(1)));
    expect(h.barrier(1, 2)).toEqual(step(ALIGNED, 'blockChannel(1)'));
    expect(h.barrier(0, 2)).toEqual(step(WAITING, 'blockChannel(0)', ...complete(2)));
  });

  it('the end of partition of the last missing channel completes the checkpoint', () => {
    const h = new Harness(2, 'aligned');
    expect(h.barrier(0, 1)).toEqual(step(ALIGNED, 'blockChannel(0)'));
    expect(h.end(1)).toEqual(step(WAITING, ...complete(1)));
  });

  it('with every other channel ended, one barrier completes the checkpoint', () => {
    const h = new Harness(3, 'aligned');
    h.end(0);
    h.end(2);
    expect(h.barrier(1, 4)).toEqual(step(WAITING, 'blockChannel(1)', ...complete(4)));
  });

  it('a newer barrier before completion aborts the old checkpoint, unblocks, and starts the new one', () => {
    const h = new Harness(3, 'aligned');
    expect(h.barrier(0, 1)).toEqual(step(ALIGNED, 'blockChannel(0)'));
    expect(h.barrier(2, 1)).toEqual(step(ALIGNED, 'blockChannel(2)'));
    expect(h.barrier(1, 2)).toEqual(step(ALIGNED, 'abortCheckpoint(1)', 'unblockChannels()', 'blockChannel(1)'));
    expect(h.abortReasons()).toEqual(['checkpoint 2 arrived before checkpoint 1 completed']);
    // Checkpoint 2 needs all three barriers: channels 0 and 2 no longer count as arrived.
    expect(h.barrier(2, 2)).toEqual(step(ALIGNED, 'blockChannel(2)'));
    expect(h.barrier(0, 2)).toEqual(step(WAITING, 'blockChannel(0)', ...complete(2)));
  });

  it('ignores stale barriers (id <= current), while aligning and while waiting', () => {
    const h = new Harness(2, 'aligned');
    h.barrier(0, 2);
    expect(h.barrier(1, 1)).toEqual(step(ALIGNED)); // older than the checkpoint in progress
    expect(h.barrier(1, 2)).toEqual(step(WAITING, 'blockChannel(1)', ...complete(2)));
    expect(h.barrier(0, 1)).toEqual(step(WAITING)); // older, while waiting
    expect(h.barrier(0, 2)).toEqual(step(WAITING)); // the one just completed, while waiting
    expect(h.barrier(0, 3)).toEqual(step(ALIGNED, 'blockChannel(0)'));
  });

  it('the same barrier twice on one channel throws an error naming the state', () => {
    const h = new Harness(2, 'aligned');
    h.barrier(0, 1);
    expect(() => h.barrier(0, 1)).toThrow('barrier 1 arrived twice on channel 0 (state collecting-aligned)');
    expect(h.actions.log).toHaveLength(1); // only the first blockChannel(0)
  });

  it('abort of the current checkpoint unblocks and returns to waiting; its late barriers are then stale', () => {
    const h = new Harness(3, 'aligned');
    h.barrier(0, 1);
    h.barrier(1, 1);
    expect(h.abort(1)).toEqual(step(WAITING, 'unblockChannels()'));
    expect(h.barrier(2, 1)).toEqual(step(WAITING));
    expect(h.barrier(2, 2)).toEqual(step(ALIGNED, 'blockChannel(2)'));
  });

  it('abort of another checkpoint, or an alignment timeout, changes nothing', () => {
    const h = new Harness(2, 'aligned');
    expect(h.abort(1)).toEqual(step(WAITING));
    h.barrier(0, 2);
    expect(h.abort(1)).toEqual(step(ALIGNED));
    expect(h.abort(3)).toEqual(step(ALIGNED));
    expect(h.timeout(2)).toEqual(step(ALIGNED));
    expect(h.barrier(1, 2)).toEqual(step(WAITING, 'blockChannel(1)', ...complete(2)));
  });

  // Pins current behaviour, which docs/design.md does not settle (see the report): an abort that reaches
  // a subtask before the checkpoint's first barrier is forgotten, and the aborted checkpoint is
  // still aligned and snapshotted when its barriers come. Flink remembers the aborted id instead.
  it('abort of a checkpoint that has not started here is not remembered: its barriers still align it', () => {
    const h = new Harness(2, 'aligned');
    expect(h.abort(1)).toEqual(step(WAITING));
    expect(h.barrier(0, 1)).toEqual(step(ALIGNED, 'blockChannel(0)'));
    expect(h.barrier(1, 1)).toEqual(step(WAITING, 'blockChannel(1)', ...complete(1)));
  });
});
