/**
 * The input side of a subtask: its input channels and the read pass over them. A pass visits
 * the channels round robin, starting after the channel the last pass stopped at (a pass that
 * runs out of time in its first channel must not starve the others), takes at most 16 frames
 * from a channel before moving on, and for each channel hands out, in order, the rest of a
 * half-processed frame, then restored in-flight data, then the ring. Barrier frames go to the
 * checkpointer, watermark frames to the subtask's event time (a watermark that advances ends the
 * pass, so its timers fire before the next record); a ring that ended is the channel's end of
 * partition. Watermark frames in restored in-flight data are spent, as barrier frames are: the
 * restored subtask watermark stands for them (see docs/design.md, event time).
 */
import { FRAME_BARRIER, FRAME_WATERMARK } from './frames.js';
import { decodeWatermark } from './watermarks.js';
import { decodeBarrierFrame } from './barrier-frame.js';
import type { Checkpointer } from './checkpointer.js';
import type { FaultInjector } from './fault-injector.js';
import type { InputChannel } from './input-channel.js';
import type { RecordHandler } from './record-batch.js';

/** Frames read from one input channel before moving to the next (fairness). */
const FRAMES_PER_CHANNEL = 16;
/** Most records handed to the chain between two checks of the clock and of backpressure. */
const MAX_STEP_RECORDS = 1024;

/** What the read pass needs of its subtask. */
export interface InputGateHost {
  readonly checkpointer: Checkpointer;
  /** Counts bytes consumed and channels ended (buffer debloating). */
  readonly debloat: { consumed(bytes: number): void; closed(channel: number): void };
  readonly faults: Pick<FaultInjector, 'onRecords'>;
  /** Whether an output is full: the pass stops. */
  backpressured(): boolean;
  /** Whether a control message or a barrier announcement waits: the pass stops between steps. */
  interrupted(): boolean;
  /** The subtask's event time; each call returns true when timers must fire before more input is read. */
  readonly watermarks: GateWatermarks;
}

/** What the input gate tells the subtask's event time. */
export interface GateWatermarks {
  /** A watermark frame (NaN: the channel went idle) was read from channel `channel`. */
  onWatermark(channel: number, watermark: number): boolean;
  /** Channel `channel` ended: it stops holding the watermark back. */
  onEndOfPartition(channel: number): boolean;
}

/** The event time of a subtask of a job without event time: watermark frames never come. */
export const NO_EVENT_TIME: GateWatermarks = Object.freeze({
  onWatermark: () => false,
  onEndOfPartition: () => false,
});

/** A subtask's input channels and the read pass over them. */
export class InputGate {
  readonly channels: InputChannel[] = [];
  /** Records processed from restored in-flight data (channel state). */
  replayedRecords = 0;
  /** The channel whose frame is being processed, for error messages. */
  #reading: InputChannel | undefined;
  /** Channel position of that frame; -1 for restored in-flight data. */
  #frameStart = 0;
  /** The channel the next pass starts at. */
  #next = 0;
  /** Records per step of a frame, adapted so that a step takes about a millisecond. */
  #stepRecords = 64;

  /** Whether every channel has ended (and the end was handled). */
  allFinished(): boolean {
    for (const channel of this.channels) if (!channel.finished) return false;
    return true;
  }

  /** Where the record being processed came from, for an error message; undefined before any. */
  describePosition(): string | undefined {
    const channel = this.#reading;
    if (channel === undefined) return undefined;
    const where = this.#frameStart < 0 ? 'restored in-flight data' : `at byte ${this.#frameStart} of the channel`;
    return `a record batch read from '${channel.from}' subtask ${channel.peerSubtask} (${where})`;
  }

  /**
   * One read pass, or several while every visited channel had 16 frames, until `deadline`
   * (performance.now() time), backpressure or an interruption. True when anything moved.
   */
  read(handle: RecordHandler, deadline: number, host: InputGateHost): boolean {
    const channels = this.channels;
    const checkpointer = host.checkpointer;
    let progressed = false;
    let more = true;
    while (more && !host.backpressured()) {
      more = false;
      const first = this.#next;
      for (let turn = 0; turn < channels.length; turn++) {
        const index = (first + turn) % channels.length;
        const channel = channels[index]!;
        this.#next = (index + 1) % channels.length;
        if (channel.finished || channel.blocked || channel.waitsFor?.replay) continue;
        // A frame left half-processed goes first, then restored in-flight data, then the ring.
        if (channel.cursor.active) {
          progressed = true;
          if (!this.#drainCursor(channel, handle, deadline, host)) return true;
        }
        if (channel.replay) {
          progressed = true;
          if (!this.#replay(channel, handle, deadline, host)) return true;
        }
        const reader = channel.reader;
        let frames = 0;
        let stopped = false;
        while (frames < FRAMES_PER_CHANNEL && reader.tryRead()) {
          frames++;
          if (reader.frameType === FRAME_BARRIER) {
            checkpointer.onBarrier(channel, decodeBarrierFrame(reader.bytes, reader.frameOffset));
            if (channel.blocked) break;
            continue;
          }
          if (reader.frameType === FRAME_WATERMARK) {
            checkpointer.countProcessed(reader.frameLength);
            host.debloat.consumed(reader.frameLength);
            const watermark = decodeWatermark(reader.bytes.subarray(reader.frameOffset, reader.frameOffset + reader.frameLength));
            if (host.watermarks.onWatermark(channel.index, watermark)) {
              stopped = true;
              break;
            }
            continue;
          }
          this.#reading = channel;
          this.#frameStart = reader.position;
          checkpointer.countProcessed(reader.frameLength);
          host.debloat.consumed(reader.frameLength);
          channel.cursor.begin(reader.frameType, reader.bytes, reader.frameOffset, reader.frameLength);
          if (!this.#drainCursor(channel, handle, deadline, host)) {
            stopped = true;
            break;
          }
        }
        if (frames > 0) {
          progressed = true;
          if (frames === FRAMES_PER_CHANNEL) more = true;
        }
        // Safe with a frame half-processed: the cursor copied its rest out of the ring.
        reader.release();
        if (stopped) return true;
        if (frames === 0 && !channel.blocked && reader.finished) {
          checkpointer.onEndOfPartition(channel);
          host.debloat.closed(channel.index);
          progressed = true;
          if (host.watermarks.onEndOfPartition(channel.index)) return true;
        }
      }
      if (performance.now() > deadline) break;
    }
    return progressed;
  }

  /**
   * Hands the records of `channel`'s current frame to the chain in steps, sized so that a
   * step takes about a millisecond however slow the operators are; stops between steps when
   * the time slice is over, an output is backpressured or something interrupts (false: the
   * frame is not done, and its rest was copied out of the ring).
   */
  #drainCursor(channel: InputChannel, handle: RecordHandler, deadline: number, host: InputGateHost): boolean {
    const cursor = channel.cursor;
    for (;;) {
      const started = performance.now();
      host.faults.onRecords(cursor.step(handle, this.#stepRecords));
      const now = performance.now();
      const took = now - started;
      if (took > 1 && this.#stepRecords > 1) this.#stepRecords >>= 1;
      else if (took < 0.25 && this.#stepRecords < MAX_STEP_RECORDS) this.#stepRecords <<= 1;
      if (!cursor.active) return true;
      if (now > deadline || host.backpressured() || host.interrupted()) {
        cursor.detach();
        return false;
      }
    }
  }

  /** Processes restored in-flight data of `channel` (barrier frames in it are spent); false when not done. */
  #replay(channel: InputChannel, handle: RecordHandler, deadline: number, host: InputGateHost): boolean {
    const parser = channel.replay!;
    while (!host.backpressured()) {
      if (!parser.next()) {
        channel.replay = undefined;
        return true;
      }
      if (parser.frameType === FRAME_BARRIER || parser.frameType === FRAME_WATERMARK) continue;
      this.#reading = channel;
      this.#frameStart = -1;
      channel.cursor.begin(parser.frameType, parser.bytes, parser.frameOffset, parser.frameLength);
      this.replayedRecords += channel.cursor.remaining;
      if (!this.#drainCursor(channel, handle, deadline, host)) return false;
      if (performance.now() > deadline) return false;
    }
    return false;
  }
}
