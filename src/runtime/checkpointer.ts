import type { InputChannel as CheckpointInput } from './input-channel.js';

/**
 * The checkpoint side of a subtask as its loop calls it. A subtask of a job with checkpointing
 * has a {@link SubtaskCheckpointer}; one without has {@link NO_CHECKPOINTS}, so the loop calls
 * the same methods either way instead of testing for checkpointing at every call.
 */
export interface Checkpointer {
  /** Checkpoint `checkpointId` was triggered by the job manager at `triggerNanos`. */
  onTriggered(checkpointId: number, triggerNanos: number): void;
  /** A source subtask takes checkpoint `checkpointId` now and sends its barrier downstream. */
  triggerSource(checkpointId: number): void;
  /**
   * A subtask whose every input ended (its upstream finished, so no barrier will come) takes
   * checkpoint `checkpointId` as a source does, unless it took that one or a newer one already.
   */
  triggerAfterInputEnded(checkpointId: number): void;
  /** Takes the barrier announcements waiting on `input`'s priority lane. */
  pollAnnouncements(input: CheckpointInput): void;
  /** True when an announcement waits on some input's priority lane (the loop should go take it). */
  announcementWaiting(): boolean;
  /** An in-band barrier frame was read from `input`. */
  onBarrier(input: CheckpointInput, checkpointId: number): void;
  /** `input` reached end of partition: marks it finished. */
  onEndOfPartition(input: CheckpointInput): void;
  /** Bytes of input read (one call per frame). */
  countProcessed(bytes: number): void;
  /** Fires due timeouts; milliseconds until the next deadline (Infinity when none). */
  tick(): number;
  /** The job manager committed `checkpointId`. */
  onComplete(checkpointId: number): Promise<void>;
  /** The job manager aborted `checkpointId`. */
  onAborted(checkpointId: number): void;
  /** Waits for acknowledgements in flight; throws what failed in them. */
  settled(): Promise<void>;
}

const DONE: Promise<void> = Promise.resolve();

/**
 * The checkpointer of a job without checkpointing: does nothing, except that end of partition
 * still marks the channel finished. No trigger, announcement or barrier reaches such a subtask.
 */
export const NO_CHECKPOINTS: Checkpointer = Object.freeze({
  onTriggered(): void {},
  triggerSource(): void {},
  triggerAfterInputEnded(): void {},
  pollAnnouncements(): void {},
  announcementWaiting(): boolean {
    return false;
  },
  onBarrier(): void {},
  onEndOfPartition(input: CheckpointInput): void {
    input.finished = true;
  },
  countProcessed(): void {},
  tick(): number {
    return Infinity;
  },
  onComplete(): Promise<void> {
    return DONE;
  },
  onAborted(): void {},
  settled(): Promise<void> {
    return DONE;
  },
});
