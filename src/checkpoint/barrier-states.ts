/**
 * The states of a subtask's barrier handling, one class each. See docs/design.md, Checkpoints.
 *
 *   waiting-for-barrier --barrier/announcement n--> collecting-aligned | collecting-aligned-timeout
 *                                                  | collecting-at-least-once | (unaligned snapshot)
 *   collecting-aligned-timeout --timeout or unaligned announcement--> (unaligned snapshot)
 *   (unaligned snapshot) --> collecting-channel-state (until every channel's end is known) --> waiting
 *
 * The BarrierHandlerDriver starts checkpoints (and abandons the one in progress for a newer
 * one) and drops stale events, so each state here sees only the current checkpoint.
 */
import { BarrierBookkeeping, BarrierHandlerState } from './barrier-handler.js';

/** The state after an unaligned snapshot: wait for channel-state ends, or be done. */
function afterUnalignedSnapshot(book: BarrierBookkeeping): BarrierHandlerState {
  return book.channelStatesSettled ? new WaitingForBarrier() : new CollectingChannelState();
}

/** Completes an aligned (or at-least-once) checkpoint once every barrier arrived. */
function completeIfAligned(book: BarrierBookkeeping, state: BarrierHandlerState): BarrierHandlerState {
  if (!book.allArrived) return state;
  book.actions.takeSnapshot(book.currentId, false);
  book.actions.forwardBarrier(book.currentId, false);
  book.actions.unblockChannels();
  return new WaitingForBarrier();
}

/**
 * No checkpoint in progress on this subtask. The driver starts the next one on its first
 * barrier (or announcement) and drops the events of checkpoints already taken.
 */
export class WaitingForBarrier extends BarrierHandlerState {
  readonly name = 'waiting-for-barrier';
  override readonly inProgress = false;
}

/** Aligned: some barriers of the current checkpoint arrived; their channels are blocked. */
export class CollectingAligned extends BarrierHandlerState {
  readonly name: string = 'collecting-aligned';

  override barrierReceived(book: BarrierBookkeeping, channel: number, checkpointId: number): BarrierHandlerState {
    if (!book.arrive(channel)) {
      throw new Error(`barrier ${checkpointId} arrived twice on channel ${channel} (state ${this.name})`);
    }
    book.actions.blockChannel(channel);
    return completeIfAligned(book, this);
  }

  override announcementReceived(
    _book: BarrierBookkeeping,
    _channel: number,
    _checkpointId: number,
    _position: number,
    _unaligned: boolean,
  ): BarrierHandlerState {
    return this; // aligned checkpoints need only the in-band barrier
  }

  override endOfPartition(book: BarrierBookkeeping, channel: number): BarrierHandlerState {
    book.ended[channel] = true;
    book.arrive(channel);
    return completeIfAligned(book, this);
  }

  override abort(book: BarrierBookkeeping, _checkpointId: number): BarrierHandlerState {
    book.actions.unblockChannels();
    return new WaitingForBarrier();
  }
}

/**
 * Aligned with timeout: aligning, with announcements recorded, until every barrier arrived
 * or the timeout fires (or an upstream barrier arrives already unaligned): then the
 * checkpoint is taken unaligned.
 */
export class CollectingAlignedWithTimeout extends CollectingAligned {
  override readonly name = 'collecting-aligned-timeout';

  override announcementReceived(
    book: BarrierBookkeeping,
    channel: number,
    checkpointId: number,
    position: number,
    unaligned: boolean,
  ): BarrierHandlerState {
    void checkpointId;
    book.announced[channel] = position;
    if (!unaligned) return this;
    book.snapshotUnaligned();
    return afterUnalignedSnapshot(book);
  }

  override alignmentTimeout(book: BarrierBookkeeping, _checkpointId: number): BarrierHandlerState {
    book.snapshotUnaligned();
    return afterUnalignedSnapshot(book);
  }
}

/** Unaligned: the checkpoint started; the snapshot is taken at its first announcement. */
export class CollectingUnalignedBarriers extends BarrierHandlerState {
  readonly name = 'collecting-unaligned-barriers';

  override announcementReceived(book: BarrierBookkeeping, channel: number, _checkpointId: number, position: number): BarrierHandlerState {
    book.announced[channel] = position;
    book.snapshotUnaligned();
    return afterUnalignedSnapshot(book);
  }
}

/**
 * After an unaligned snapshot: the subtask records each channel's in-flight data until that
 * channel's announced position (or its end) is known.
 */
export class CollectingChannelState extends BarrierHandlerState {
  readonly name = 'collecting-channel-state';

  override announcementReceived(
    book: BarrierBookkeeping,
    channel: number,
    checkpointId: number,
    position: number,
    _unaligned: boolean,
  ): BarrierHandlerState {
    void checkpointId;
    book.settleChannel(channel, position);
    return afterUnalignedSnapshot(book);
  }

  override barrierReceived(book: BarrierBookkeeping, channel: number, checkpointId: number): BarrierHandlerState {
    // A producer announces before it publishes its in-band barrier, so the channel is settled.
    if (!book.stateEndKnown[channel]) {
      return this.impossible('barrierReceived', `channel ${channel} reached barrier ${checkpointId} before its announcement`, book);
    }
    return this;
  }

  override endOfPartition(book: BarrierBookkeeping, channel: number): BarrierHandlerState {
    book.ended[channel] = true;
    book.settleChannel(channel, 'end');
    return afterUnalignedSnapshot(book);
  }

  override abort(_book: BarrierBookkeeping, _checkpointId: number): BarrierHandlerState {
    return new WaitingForBarrier();
  }
}

/** At-least-once: counting barriers of the current checkpoint; no channel is ever blocked. */
export class CollectingAtLeastOnce extends BarrierHandlerState {
  readonly name = 'collecting-at-least-once';

  override barrierReceived(book: BarrierBookkeeping, channel: number, checkpointId: number): BarrierHandlerState {
    void checkpointId;
    book.arrive(channel);
    return completeIfAligned(book, this);
  }

  override announcementReceived(): BarrierHandlerState {
    return this;
  }

  override endOfPartition(book: BarrierBookkeeping, channel: number): BarrierHandlerState {
    book.ended[channel] = true;
    book.arrive(channel);
    return completeIfAligned(book, this);
  }

  override abort(_book: BarrierBookkeeping, _checkpointId: number): BarrierHandlerState {
    return new WaitingForBarrier();
  }
}
