import { assertNever } from '../errors/sluice-error.js';
import type { BarrierHandlerActions, BarrierHandlerState } from './barrier-handler.js';
import { BarrierBookkeeping } from './barrier-handler.js';
import {
  CollectingAligned,
  CollectingAlignedWithTimeout,
  CollectingAtLeastOnce,
  CollectingUnalignedBarriers,
  WaitingForBarrier,
} from './barrier-states.js';
import type { CheckpointMode } from './checkpoint-mode.js';

/**
 * Drives a subtask's barrier handler states. It owns the current checkpoint id and decides,
 * before any state sees an event, whether the event is stale (an older checkpoint, or the
 * current one once it is done), starts a newer checkpoint (abandoning the one in progress),
 * or belongs to the checkpoint in progress. The states see only events of the current
 * checkpoint.
 */
export class BarrierHandlerDriver {
  /** Bookkeeping handed from state to state; its `currentId` is the current checkpoint. */
  readonly book: BarrierBookkeeping;
  #state: BarrierHandlerState = new WaitingForBarrier();

  constructor(channelCount: number, mode: CheckpointMode, actions: BarrierHandlerActions) {
    this.book = new BarrierBookkeeping(channelCount, mode, actions);
  }

  /** The current state. */
  get state(): BarrierHandlerState {
    return this.#state;
  }

  /** The newest checkpoint this subtask has started (0: none). */
  get currentId(): number {
    return this.book.currentId;
  }

  /** A source subtask took checkpoint `checkpointId` itself: older barrier events are stale. */
  sourceCheckpoint(checkpointId: number): void {
    this.book.currentId = checkpointId;
  }

  /** An in-band barrier of `checkpointId` was read from `channel`. */
  barrierReceived(channel: number, checkpointId: number): void {
    if (!this.#current(checkpointId)) return;
    this.#state = this.#state.barrierReceived(this.book, channel, checkpointId);
  }

  /** The priority lane of `channel` announced barrier `checkpointId` at `position`. */
  announcementReceived(channel: number, checkpointId: number, position: number, unaligned: boolean): void {
    const mode = this.book.mode;
    // Aligned and at-least-once checkpoints need only the in-band barrier.
    if (mode === 'aligned' || mode === 'at-least-once') return;
    if (!this.#current(checkpointId)) return;
    this.#state = this.#state.announcementReceived(this.book, channel, checkpointId, position, unaligned);
  }

  /** The alignment timeout of `checkpointId` fired (harmless once its checkpoint moved on). */
  alignmentTimeout(checkpointId: number): void {
    if (checkpointId !== this.book.currentId) return;
    this.#state = this.#state.alignmentTimeout(this.book, checkpointId);
  }

  /** `channel` reached end of partition. */
  endOfPartition(channel: number): void {
    this.#state = this.#state.endOfPartition(this.book, channel);
  }

  /** Abandon `checkpointId` (declined, timed out or subsumed elsewhere); other ids are ignored. */
  abort(checkpointId: number): void {
    if (checkpointId !== this.book.currentId) return;
    this.#state = this.#state.abort(this.book, checkpointId);
  }

  /**
   * Whether a barrier event of `checkpointId` goes to the current state: false when stale;
   * a newer checkpoint subsumes the one in progress and starts first.
   */
  #current(checkpointId: number): boolean {
    const book = this.book;
    if (checkpointId < book.currentId) return false;
    if (checkpointId === book.currentId) return this.#state.inProgress;
    if (this.#state.inProgress) {
      book.actions.abortCheckpoint(book.currentId, `checkpoint ${checkpointId} arrived before checkpoint ${book.currentId} completed`);
      book.actions.unblockChannels();
    }
    this.#state = this.#begin(checkpointId);
    return true;
  }

  /** Starts checkpoint `id` in the state the mode begins with. */
  #begin(id: number): BarrierHandlerState {
    const book = this.book;
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
}
