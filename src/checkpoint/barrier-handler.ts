import type { CheckpointMode } from './checkpoint-mode.js';

/**
 * What a barrier handler asks of its subtask. The handler decides; the subtask acts on its
 * channels, snapshots and outputs.
 */
export interface BarrierHandlerActions {
  /** Stop reading `channel` until {@link unblockChannels}. */
  blockChannel(channel: number): void;
  /** Resume reading every blocked channel. */
  unblockChannels(): void;
  /**
   * Take checkpoint `checkpointId`'s synchronous snapshot now. With `unaligned`, start
   * recording the in-flight data of each channel that is neither blocked (it stopped right
   * after its barrier: nothing of it is in flight) nor ended, at its current read position;
   * {@link channelStateEndsAt} then says where each recording ends.
   */
  takeSnapshot(checkpointId: number, unaligned: boolean): void;
  /**
   * For the current unaligned snapshot: `channel`'s in-flight data ends at `position` (a
   * producer write position), or at the channel's end of partition with `'end'`.
   */
  channelStateEndsAt(channel: number, position: number | 'end'): void;
  /** Sends barrier `checkpointId` on every output: in-band and announced, or announced only when unaligned. */
  forwardBarrier(checkpointId: number, unaligned: boolean): void;
  /** Aligned-with-timeout: alignment of `checkpointId` started; arm its alignment timeout. */
  startAlignmentTimer(checkpointId: number): void;
  /** `checkpointId` was abandoned on this subtask (a newer barrier overtook it). */
  abortCheckpoint(checkpointId: number, reason: string): void;
}

/**
 * Bookkeeping handed from state to state: which channels have ended, and for the checkpoint
 * in progress, which barriers arrived and where each channel's announced barrier sits.
 */
export class BarrierBookkeeping {
  readonly channelCount: number;
  readonly mode: CheckpointMode;
  readonly actions: BarrierHandlerActions;
  /** Channels that reached end of partition (for good). */
  readonly ended: boolean[];
  /** The newest checkpoint this subtask has started (0: none). Older barriers are stale. */
  currentId = 0;
  /** Per channel: the barrier (or end of partition) of the current checkpoint was reached. */
  readonly arrived: boolean[];
  arrivedCount = 0;
  /** Per channel: the announced barrier position of the current checkpoint, if known. */
  readonly announced: Array<number | undefined>;
  /** Per channel: after an unaligned snapshot, whether the end of its channel state is known. */
  readonly stateEndKnown: boolean[];

  constructor(channelCount: number, mode: CheckpointMode, actions: BarrierHandlerActions) {
    this.channelCount = channelCount;
    this.mode = mode;
    this.actions = actions;
    this.ended = new Array<boolean>(channelCount).fill(false);
    this.arrived = new Array<boolean>(channelCount).fill(false);
    this.announced = new Array<number | undefined>(channelCount).fill(undefined);
    this.stateEndKnown = new Array<boolean>(channelCount).fill(false);
  }

  /** Starts checkpoint `id`: ended channels count as arrived. */
  begin(id: number): void {
    this.currentId = id;
    this.arrivedCount = 0;
    for (let c = 0; c < this.channelCount; c++) {
      this.arrived[c] = this.ended[c]!;
      if (this.ended[c]) this.arrivedCount++;
      this.announced[c] = undefined;
      this.stateEndKnown[c] = false;
    }
  }

  /** Marks `channel` arrived; true when it was not yet. */
  arrive(channel: number): boolean {
    if (this.arrived[channel]) return false;
    this.arrived[channel] = true;
    this.arrivedCount++;
    return true;
  }

  get allArrived(): boolean {
    return this.arrivedCount === this.channelCount;
  }

  /**
   * Takes an unaligned snapshot now and settles what is already known of each channel's
   * in-flight data: nothing for channels whose barrier was reached, up to the announced
   * position for announced ones, up to the end for ended ones.
   */
  snapshotUnaligned(): void {
    this.actions.takeSnapshot(this.currentId, true);
    for (let c = 0; c < this.channelCount; c++) {
      if (this.ended[c]) {
        this.settleChannel(c, 'end');
      } else if (this.arrived[c]) {
        this.stateEndKnown[c] = true; // blocked right after its barrier: nothing in flight
      } else if (this.announced[c] !== undefined) {
        this.settleChannel(c, this.announced[c]!);
      }
    }
    this.actions.forwardBarrier(this.currentId, true);
    this.actions.unblockChannels();
  }

  /** Whether the end of every channel's in-flight data is known. */
  get channelStatesSettled(): boolean {
    return this.stateEndKnown.every(Boolean);
  }

  /** The end of `channel`'s in-flight data is known. */
  settleChannel(channel: number, position: number | 'end'): void {
    if (this.stateEndKnown[channel]) return;
    this.stateEndKnown[channel] = true;
    this.actions.channelStateEndsAt(channel, position);
  }
}

/**
 * One state of a subtask's barrier handling. Each event returns the next state; an event a
 * state cannot take throws an error naming both. States are driven by a BarrierHandlerDriver,
 * which drops stale events: a state sees only events of the current checkpoint.
 */
export abstract class BarrierHandlerState {
  /** The state's name, for messages and tests. */
  abstract readonly name: string;
  /** Whether a checkpoint is in progress (false only while waiting for the next one). */
  readonly inProgress: boolean = true;

  /** An in-band barrier of `checkpointId` was read from `channel`. */
  barrierReceived(book: BarrierBookkeeping, channel: number, checkpointId: number): BarrierHandlerState {
    return this.impossible('barrierReceived', `channel ${channel}, checkpoint ${checkpointId}`, book);
  }

  /** The priority lane of `channel` announced barrier `checkpointId` at `position`. */
  announcementReceived(
    book: BarrierBookkeeping,
    channel: number,
    checkpointId: number,
    position: number,
    unaligned: boolean,
  ): BarrierHandlerState {
    void position;
    void unaligned;
    return this.impossible('announcementReceived', `channel ${channel}, checkpoint ${checkpointId}`, book);
  }

  /** The alignment timeout of `checkpointId` fired. */
  alignmentTimeout(book: BarrierBookkeeping, checkpointId: number): BarrierHandlerState {
    void book;
    void checkpointId;
    return this;
  }

  /** `channel` reached end of partition. */
  endOfPartition(book: BarrierBookkeeping, channel: number): BarrierHandlerState {
    book.ended[channel] = true;
    return this;
  }

  /** Abandon `checkpointId` (declined, timed out or subsumed elsewhere). */
  abort(book: BarrierBookkeeping, checkpointId: number): BarrierHandlerState {
    void book;
    void checkpointId;
    return this;
  }

  protected impossible(event: string, detail: string, book: BarrierBookkeeping): never {
    throw new Error(`barrier handler (${book.mode}) in state ${this.name} cannot take ${event} (${detail})`);
  }
}
