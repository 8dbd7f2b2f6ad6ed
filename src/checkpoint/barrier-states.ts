/**
 * The states of a subtask's barrier handling, one class each. See docs/design.md, Checkpoints.
 *
 *   waiting-for-barrier --barrier/announcement n--> collecting-aligned | collecting-aligned-timeout
 *                                                  | collecting-at-least-once | (unaligned snapshot)
 *   collecting-aligned-timeout --timeout or unaligned announcement--> (unaligned snapshot)
 *   (unaligned snapshot) --> collecting-channel-state (until every channel's end is known) --> waiting
 */
import { assertNever } from '../errors/sluice-error.js';
import { BarrierBookkeeping, BarrierHandlerState } from './barrier-handler.js';

/** The state after an unaligned snapshot: wait for channel-state ends, or be done. */
function afterUnalignedSnapshot(book: BarrierBookkeeping): BarrierHandlerState {
  return book.channelStatesSettled ? new WaitingForBarrier() : new CollectingChannelState();
}

/** Starts checkpoint `id` in the state the mode begins with. */
function begin(book: BarrierBookkeeping, id: number): BarrierHandlerState {
  book.begin(id);
  switch (book.mode) {
    case 'aligned':
      return new CollectingAligned();
    case 'aligned-timeout':
      book.actions.startAlignmentTimer(id);
      return new CollectingAlignedWithTimeout();
    case 'at-least-once':
      return new CollectingAtLeastOnce();
    case 'unaligned':
      return new CollectingUnalignedBarriers();
    default:
      return assertNever(book.mode);
  }
}

/** Abandons the checkpoint in progress because `newer` overtook it, then starts `newer`. */
function subsume(book: BarrierBookkeeping, newer: number): BarrierHandlerState {
  book.actions.abortCheckpoint(book.currentId, `checkpoint ${newer} arrived before checkpoint ${book.currentId} completed`);
  book.actions.unblockChannels();
  return begin(book, newer);
}

/** Completes an aligned (or at-least-once) checkpoint once every barrier arrived. */
function completeIfAligned(book: BarrierBookkeeping, state: BarrierHandlerState): BarrierHandlerState {
  if (!book.allArrived) return state;
  book.actions.takeSnapshot(book.currentId, false);
  book.actions.forwardBarrier(book.currentId, false);
  book.actions.unblockChannels();
  return new WaitingForBarrier();
}

/** No checkpoint in progress on this subtask. */
export class WaitingForBarrier extends BarrierHandlerState {
  readonly name = 'waiting-for-barrier';

  override barrierReceived(book: BarrierBookkeeping, channel: number, checkpointId: number): BarrierHandlerState {
    // The in-band barrier of a checkpoint already taken (unaligned, after a timeout) is stale.
    if (checkpointId <= book.currentId) return this;
    return begin(book, checkpointId).barrierReceived(book, channel, checkpointId);
  }

  override announcementReceived(
    book: BarrierBookkeeping,
    channel: number,
    checkpointId: number,
    position: number,
    unaligned: boolean,
  ): BarrierHandlerState {
    if (checkpointId <= book.currentId) return this;
    // Aligned and at-least-once checkpoints start with the in-band barrier, not its announcement.
    if (book.mode === 'aligned' || book.mode === 'at-least-once') return this;
    return begin(book, checkpointId).announcementReceived(book, channel, checkpointId, position, unaligned);
  }
}

/** Aligned: some barriers of the current checkpoint arrived; their channels are blocked. */
export class CollectingAligned extends BarrierHandlerState {
  readonly name: string = 'collecting-aligned';

  override barrierReceived(book: BarrierBookkeeping, channel: number, checkpointId: number): BarrierHandlerState {
    if (checkpointId < book.currentId) return this;
    if (checkpointId > book.currentId) return subsume(book, checkpointId).barrierReceived(book, channel, checkpointId);
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

  override abort(book: BarrierBookkeeping, checkpointId: number): BarrierHandlerState {
    if (checkpointId !== book.currentId) return this;
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
    if (checkpointId < book.currentId) return this;
    if (checkpointId > book.currentId) {
      return subsume(book, checkpointId).announcementReceived(book, channel, checkpointId, position, unaligned);
    }
    book.announced[channel] = position;
    if (!unaligned) return this;
    book.snapshotUnaligned();
    return afterUnalignedSnapshot(book);
  }

  override alignmentTimeout(book: BarrierBookkeeping, checkpointId: number): BarrierHandlerState {
    if (checkpointId !== book.currentId) return this;
    book.snapshotUnaligned();
    return afterUnalignedSnapshot(book);
  }
}

/** Unaligned: the checkpoint started; the snapshot is taken at its first announcement. */
export class CollectingUnalignedBarriers extends BarrierHandlerState {
  readonly name = 'collecting-unaligned-barriers';

  override announcementReceived(book: BarrierBookkeeping, channel: number, checkpointId: number, position: number): BarrierHandlerState {
    if (checkpointId !== book.currentId) {
      return this.impossible('announcementReceived', `checkpoint ${checkpointId} before the snapshot of ${book.currentId}`, book);
    }
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
    unaligned: boolean,
  ): BarrierHandlerState {
    if (checkpointId < book.currentId) return this;
    if (checkpointId > book.currentId) {
      return subsume(book, checkpointId).announcementReceived(book, channel, checkpointId, position, unaligned);
    }
    book.settleChannel(channel, position);
    return afterUnalignedSnapshot(book);
  }

  override barrierReceived(book: BarrierBookkeeping, channel: number, checkpointId: number): BarrierHandlerState {
    if (checkpointId > book.currentId) return subsume(book, checkpointId).barrierReceived(book, channel, checkpointId);
    // A producer announces before it publishes its in-band barrier, so the channel is settled.
    if (checkpointId === book.currentId && !book.stateEndKnown[channel]) {
      return this.impossible('barrierReceived', `channel ${channel} reached barrier ${checkpointId} before its announcement`, book);
    }
    return this;
  }

  override endOfPartition(book: BarrierBookkeeping, channel: number): BarrierHandlerState {
    book.ended[channel] = true;
    book.settleChannel(channel, 'end');
    return afterUnalignedSnapshot(book);
  }

  override abort(book: BarrierBookkeeping, checkpointId: number): BarrierHandlerState {
    return checkpointId === book.currentId ? new WaitingForBarrier() : this;
  }
}

/** At-least-once: counting barriers of the current checkpoint; no channel is ever blocked. */
export class CollectingAtLeastOnce extends BarrierHandlerState {
  readonly name = 'collecting-at-least-once';

  override barrierReceived(book: BarrierBookkeeping, channel: number, checkpointId: number): BarrierHandlerState {
    if (checkpointId < book.currentId) return this;
    if (checkpointId > book.currentId) return subsume(book, checkpointId).barrierReceived(book, channel, checkpointId);
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

  override abort(book: BarrierBookkeeping, checkpointId: number): BarrierHandlerState {
    return checkpointId === book.currentId ? new WaitingForBarrier() : this;
  }
}
