/**
 * native-free-buffers: sluice's shared-memory transport. Pure TypeScript over
 * SharedArrayBuffer and Atomics; no native addon, and nothing here imports sluice's src/.
 */
export { allocateRing, positionDiff, readRingGeometry } from './ring.js';
export type { RingGeometry, RingOptions } from './ring.js';
export { RingWriter } from './ring-writer.js';
export type { RingWriterOptions } from './ring-writer.js';
export { RingReader } from './ring-reader.js';
export type { RingReaderOptions } from './ring-reader.js';
export { FrameParser } from './frame-parser.js';
export { Doorbell, DoorbellRinger, NO_RINGER } from './doorbell.js';
export type { DoorbellOptions, WaitResult } from './doorbell.js';
export { BuffersError, FrameTooLargeError, LayoutError, RingCancelledError, RingEndedError } from './errors.js';
export {
  FRAME_ALIGN,
  FRAME_HEADER_BYTES,
  MAX_FRAME_TYPE,
  PADDING_FRAME_TYPE,
  frameBytes,
  ringHeaderBytes,
} from './layout.js';
