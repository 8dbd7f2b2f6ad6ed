import { positionDiff } from '../../native-free-buffers/index.js';
import type { InputChannel as CheckpointInput } from './input-channel.js';

/** `a` then `b` in one new array; undefined when both are empty. */
function concat(a: Uint8Array, b: Uint8Array | undefined): Uint8Array | undefined {
  const length = a.byteLength + (b?.byteLength ?? 0);
  if (length === 0) return undefined;
  const joined = new Uint8Array(length);
  joined.set(a);
  if (b) joined.set(b, a.byteLength);
  return joined;
}

/**
 * Records one input channel's in-flight data for an unaligned snapshot, by the position rule:
 * the channel state is `[S_c, P_c)`, from the read position at the snapshot (S_c) to the
 * announced barrier position (P_c) or the channel's end, preceded by what the subtask had
 * taken out of the ring but not processed yet (the half-processed frame and restored data
 * not yet replayed). The ring holds its bytes from S_c until they are copied out.
 */
export class ChannelStateRecorder {
  readonly #input: CheckpointInput;
  /** Restored in-flight data not yet replayed at the snapshot: it precedes the ring's bytes. */
  readonly #unreplayed: Uint8Array | undefined;
  /** The read position at the snapshot (S_c), then past the bytes already copied into `#consumed`. */
  #start: number;
  /** Bytes consumed after the snapshot while the end was unknown, copied so the ring could release them. */
  readonly #consumed: Uint8Array[] = [];
  /** The announced barrier position (P_c) or the channel's end, once known. */
  #end: number | 'end' | undefined;
  #bytes: Uint8Array | undefined;

  /** Starts recording `input` at its current read position (the snapshot is being taken). */
  constructor(input: CheckpointInput) {
    this.#input = input;
    this.#start = input.reader.position;
    input.reader.holdRelease(this.#start);
    this.#unreplayed = concat(input.cursor.remainingFrame(), input.replay?.remaining());
  }

  /** The channel state, once {@link capture} returned true. */
  get bytes(): Uint8Array | undefined {
    return this.#bytes;
  }

  /** The channel's in-flight data ends at `position` (a producer write position), or at its end. */
  endsAt(position: number | 'end'): void {
    this.#end = position;
  }

  /**
   * Copies `[S_c, P_c)` out of the ring once `P_c` is known and published, and lets the ring
   * release it; true when the channel state is complete. Before that, copies what was
   * consumed since the snapshot, so the ring can release it.
   */
  capture(checkpointId: number): boolean {
    if (this.#bytes) return true;
    const input = this.#input;
    const reader = input.reader;
    let end: number;
    if (this.#end === undefined) {
      // Copy what was consumed since the snapshot (it cannot be past P_c, whose announcement
      // precedes those bytes) and let the ring release it: held in the ring, in-flight data
      // beyond the ring's capacity would keep the producer from ever writing its barrier,
      // as when an aligned barrier queued behind backpressure times out into unaligned.
      this.#copyConsumed();
      return false;
    } else if (this.#end === 'end') {
      if (!reader.producerEnded) {
        this.#copyConsumed();
        return false;
      }
      end = reader.writePosition();
    } else {
      end = this.#end;
      if (positionDiff(reader.writePosition(), end) < 0) return false;
    }
    const length = positionDiff(end, this.#start);
    if (length < 0) {
      throw new Error(
        `checkpoint ${checkpointId}: channel from '${input.from}' subtask ${input.peerSubtask} was read to ${this.#start}, ` +
          `past its announced barrier position ${end}`,
      );
    }
    const parts = this.#unreplayed ? [this.#unreplayed, ...this.#consumed] : this.#consumed;
    const prefix = parts.reduce((sum, part) => sum + part.byteLength, 0);
    const bytes = new Uint8Array(prefix + length);
    let offset = 0;
    for (const part of parts) {
      bytes.set(part, offset);
      offset += part.byteLength;
    }
    reader.copyRange(this.#start, end, bytes, prefix);
    this.#bytes = bytes;
    reader.clearReleaseHold();
    reader.release();
    return true;
  }

  /** Stops recording (the checkpoint was dropped): the ring may release the held bytes. */
  drop(): void {
    const reader = this.#input.reader;
    reader.clearReleaseHold();
    reader.release();
  }

  /** Moves the bytes consumed since `#start` out of the ring, into `#consumed`. */
  #copyConsumed(): void {
    const reader = this.#input.reader;
    const position = reader.position;
    const length = positionDiff(position, this.#start);
    if (length <= 0) return;
    const bytes = new Uint8Array(length);
    reader.copyRange(this.#start, position, bytes);
    this.#consumed.push(bytes);
    this.#start = position;
    reader.holdRelease(position);
    reader.release();
  }
}
