/** Small helpers for the single-threaded ring tests. */
import { RingReader, RingWriter, allocateRing } from '../../../native-free-buffers/index.js';
import type { RingOptions, RingReaderOptions, RingWriterOptions } from '../../../native-free-buffers/index.js';

/** A ring with a writer and a reader on it (both on this thread). */
export function openRing(
  ringOptions: RingOptions,
  writerOptions: RingWriterOptions = {},
  readerOptions: RingReaderOptions = {},
): { ring: SharedArrayBuffer; writer: RingWriter; reader: RingReader } {
  const ring = allocateRing(ringOptions);
  return { ring, writer: new RingWriter(ring, writerOptions), reader: new RingReader(ring, readerOptions) };
}

/** `length` bytes counting up from `first` (mod 256). */
export function bytesFrom(first: number, length: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (first + i) & 0xff);
}

/** A frame as the reader returned it: type and a copy of its payload. */
export interface ReadFrame {
  readonly type: number;
  readonly payload: number[];
  readonly offset: number;
}

/** Reads every frame the reader can read now (copying each payload out). */
export function readAll(reader: RingReader): ReadFrame[] {
  const frames: ReadFrame[] = [];
  while (reader.tryRead()) frames.push({ type: reader.frameType, payload: [...reader.payload()], offset: reader.frameOffset });
  return frames;
}

/** The header (length, type) the ring holds at data-region offset `offset`. */
export function headerAt(bytes: Uint8Array, offset: number): { length: number; type: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { length: view.getUint32(offset, true), type: view.getUint32(offset + 4, true) };
}
