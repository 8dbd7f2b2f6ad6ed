/**
 * An input channel of a subtask, as the input side and checkpointing share it: its ring reader,
 * whether it ended or is blocked by an aligned barrier, restored in-flight data still to replay,
 * and the frame being handed out.
 */
import type { FrameParser, RingReader } from '../../native-free-buffers/index.js';
import type { BatchCursor } from './record-batch.js';

/** One input channel of a subtask: its ring, where it stands, and what precedes the ring. */
export interface InputChannel {
  readonly index: number;
  readonly reader: RingReader;
  readonly edgeId: number;
  readonly from: string;
  readonly peerSubtask: number;
  /** End of partition reached and handled. */
  finished: boolean;
  /** Blocked by an aligned barrier: not read until unblocked. */
  blocked: boolean;
  /** In-flight data restored from a checkpoint and not yet processed: it precedes the ring. */
  replay: FrameParser | undefined;
  /** The channel of the same edge whose restored data must be replayed before this ring is read (see channel-replay.ts). */
  waitsFor?: InputChannel;
  /** The frame being processed; records it has not handed out yet precede `replay` and the ring. */
  readonly cursor: BatchCursor;
}
