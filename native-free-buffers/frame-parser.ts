import { FRAME_HEADER_BYTES, PADDING_FRAME_TYPE, frameBytes } from './layout.js';

/**
 * Walks the frames of bytes copied out of a ring (with `RingReader.copyRange`), for example
 * a channel's persisted in-flight data. Padding frames are skipped.
 */
export class FrameParser {
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  #cursor = 0;
  #frameType = 0;
  #frameOffset = 0;
  #frameLength = 0;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** The bytes being parsed. */
  get bytes(): Uint8Array {
    return this.#bytes;
  }

  /** Type of the current frame. */
  get frameType(): number {
    return this.#frameType;
  }

  /** Offset of the current frame's payload in {@link bytes}. */
  get frameOffset(): number {
    return this.#frameOffset;
  }

  /** Payload bytes of the current frame. */
  get frameLength(): number {
    return this.#frameLength;
  }

  /** The bytes not yet parsed (the frames after the current one). */
  remaining(): Uint8Array {
    return this.#bytes.subarray(this.#cursor);
  }

  /** Advances to the next frame; false at the end. Throws on a truncated frame. */
  next(): boolean {
    const end = this.#bytes.byteLength;
    for (;;) {
      const at = this.#cursor;
      if (at === end) return false;
      if (end - at < FRAME_HEADER_BYTES) {
        throw new RangeError(`truncated frame header at byte ${at} of ${end}`);
      }
      const length = this.#view.getUint32(at, true);
      const type = this.#view.getUint32(at + 4, true);
      const next = at + frameBytes(length);
      if (next > end) throw new RangeError(`frame at byte ${at} claims ${length} payload bytes, only ${end - at - FRAME_HEADER_BYTES} remain`);
      this.#cursor = next;
      if (type === PADDING_FRAME_TYPE) continue;
      this.#frameType = type;
      this.#frameOffset = at + FRAME_HEADER_BYTES;
      this.#frameLength = length;
      return true;
    }
  }
}
