/**
 * The snapshot codec: zstd (zstd-codec's WebAssembly build, one-shot `Simple` API) over
 * independent frames of at most 1 MiB of input, in a container with a small index.
 *
 * zstd-codec runs in a fixed 16 MiB WebAssembly heap: a one-shot `compress` of more than about
 * 5 MiB at level 1 (2 MiB at level 9) aborts with "OOM", and a 1 MiB frame aborts from level 10
 * up. So input is cut into frames of at most {@link MAX_FRAME_RAW_BYTES}, levels are capped at
 * {@link MAX_ZSTD_LEVEL}, and a decoder checks every frame's declared content size against the
 * index before zstd sees it. Independent frames also let a reader decode them in any order, or
 * in parallel, and read one range without the rest.
 *
 * Container layout (integers little-endian):
 *
 * | offset     | size | field                                                      |
 * |------------|------|------------------------------------------------------------|
 * | 0          | 4    | magic, ASCII `SLZC`                                        |
 * | 4          | 2    | container version, 1                                       |
 * | 6          | 2    | flags: 0, or 1 = frames stored uncompressed                |
 * | 8          | 4    | frame count n (0 for empty input)                          |
 * | 12 + 8i    | 4    | compressed bytes of frame i                                |
 * | 16 + 8i    | 4    | raw (uncompressed) bytes of frame i, 1..1 MiB              |
 * | 12 + 8n    | ...  | the n zstd frames back to back, each with its content size |
 *
 * Its streaming classes are never used: they leak WebAssembly memory and are 2-3x slower.
 */
import zstdCodec from 'zstd-codec';
import type { ZstdSimple } from 'zstd-codec';
import { SnapshotCodecError } from './storage-errors.js';

/** The container's magic, ASCII; the first four bytes of every container. */
export const SNAPSHOT_CONTAINER_MAGIC = 'SLZC';
/** The container version this code writes and reads. */
export const SNAPSHOT_CONTAINER_VERSION = 1;
/** Bytes of the container's fixed header: magic, version, flags, frame count. */
export const SNAPSHOT_HEADER_BYTES = 12;
/** Bytes of one index entry: compressed and raw length of a frame. */
export const SNAPSHOT_INDEX_ENTRY_BYTES = 8;
/** Largest input of one frame: 1 MiB keeps zstd-codec's 16 MiB heap far from exhaustion at every allowed level. */
export const MAX_FRAME_RAW_BYTES = 1 << 20;
/** The level snapshots are compressed at unless told otherwise: the fastest, as checkpoints are on the clock. */
export const DEFAULT_ZSTD_LEVEL = 1;
/** Lowest accepted level (zstd's negative "fast" levels trade ratio for speed; 0 means zstd's default, 3). */
export const MIN_ZSTD_LEVEL = -5;
/** Highest accepted level: a 1 MiB frame at level 10 or more aborts in zstd-codec's 16 MiB heap. */
export const MAX_ZSTD_LEVEL = 9;

const MAGIC = new Uint8Array([0x53, 0x4c, 0x5a, 0x43]);
const VERSION_OFFSET = 4;
const FLAGS_OFFSET = 6;
const FRAME_COUNT_OFFSET = 8;
/** Flag: the frames hold their content as is (in-flight data is written uncompressed, as Flink does). */
const FLAG_STORED = 1;
const ZSTD_FRAME_MAGIC = 0xfd2fb528;

/** How to compress a snapshot. */
export interface SnapshotCompressOptions {
  /** zstd level, an integer from {@link MIN_ZSTD_LEVEL} to {@link MAX_ZSTD_LEVEL}; default {@link DEFAULT_ZSTD_LEVEL}. */
  readonly level?: number;
  /** Raw bytes per frame, 1..{@link MAX_FRAME_RAW_BYTES}; default {@link MAX_FRAME_RAW_BYTES}. */
  readonly frameBytes?: number;
  /** Store the frames uncompressed (same container, flag 1): for data whose write time matters more than its size. */
  readonly store?: boolean;
}

/** One frame of a container, as its index describes it. */
export interface SnapshotFrame {
  /** Offset of the zstd frame in the container. */
  readonly compressedOffset: number;
  /** Bytes of the zstd frame. */
  readonly compressedBytes: number;
  /** Offset of the frame's content in the decompressed snapshot. */
  readonly rawOffset: number;
  /** Bytes of the frame's content. */
  readonly rawBytes: number;
}

/** The validated index of a container. */
export interface SnapshotIndex {
  /** The frames in order. */
  readonly frames: readonly SnapshotFrame[];
  /** Bytes of the whole decompressed snapshot. */
  readonly rawBytes: number;
  /** Whether the frames are stored uncompressed. */
  readonly stored: boolean;
}

/**
 * Reads and validates a container's header and index, and every frame's zstd header, without
 * decompressing anything: magic, version, lengths that add up to the container's length exactly,
 * frame sizes within bounds, and each frame's declared content size equal to its index entry.
 * Throws a {@link SnapshotCodecError} on the first inconsistency.
 */
export function readSnapshotIndex(container: Uint8Array): SnapshotIndex {
  if (container.length < SNAPSHOT_HEADER_BYTES) {
    throw new SnapshotCodecError(`not a snapshot container: ${container.length} bytes, shorter than the ${SNAPSHOT_HEADER_BYTES}-byte header`);
  }
  for (let i = 0; i < MAGIC.length; i++) {
    if (container[i] !== MAGIC[i]) {
      const found = Buffer.from(container.subarray(0, MAGIC.length)).toString('hex');
      throw new SnapshotCodecError(`not a snapshot container: magic is 0x${found}, expected '${SNAPSHOT_CONTAINER_MAGIC}'`);
    }
  }
  const view = new DataView(container.buffer, container.byteOffset, container.byteLength);
  const version = view.getUint16(VERSION_OFFSET, true);
  if (version !== SNAPSHOT_CONTAINER_VERSION) {
    throw new SnapshotCodecError(`unsupported snapshot container version ${version} (this sluice reads version ${SNAPSHOT_CONTAINER_VERSION})`);
  }
  const flags = view.getUint16(FLAGS_OFFSET, true);
  if (flags !== 0 && flags !== FLAG_STORED) throw new SnapshotCodecError(`snapshot container has unknown flags 0x${flags.toString(16)}`);
  const stored = flags === FLAG_STORED;
  const frameCount = view.getUint32(FRAME_COUNT_OFFSET, true);
  const indexEnd = SNAPSHOT_HEADER_BYTES + frameCount * SNAPSHOT_INDEX_ENTRY_BYTES;
  if (indexEnd > container.length) {
    throw new SnapshotCodecError(`snapshot container is truncated: its index of ${frameCount} frames needs ${indexEnd} bytes, the container has ${container.length}`);
  }
  const frames: SnapshotFrame[] = [];
  let compressedOffset = indexEnd;
  let rawOffset = 0;
  for (let i = 0; i < frameCount; i++) {
    const entry = SNAPSHOT_HEADER_BYTES + i * SNAPSHOT_INDEX_ENTRY_BYTES;
    const compressedBytes = view.getUint32(entry, true);
    const rawBytes = view.getUint32(entry + 4, true);
    if (rawBytes < 1 || rawBytes > MAX_FRAME_RAW_BYTES) {
      throw new SnapshotCodecError(`snapshot container frame ${i} claims ${rawBytes} raw bytes, outside 1..${MAX_FRAME_RAW_BYTES}`);
    }
    if (stored ? compressedBytes !== rawBytes : compressedBytes < 1 || compressedBytes > zstdCompressBound(rawBytes)) {
      throw new SnapshotCodecError(`snapshot container frame ${i} claims ${compressedBytes} compressed bytes for ${rawBytes} raw bytes, outside 1..${zstdCompressBound(rawBytes)}`);
    }
    if (compressedOffset + compressedBytes > container.length) {
      throw new SnapshotCodecError(`snapshot container is truncated: frame ${i} ends at byte ${compressedOffset + compressedBytes}, the container has ${container.length}`);
    }
    const declared = stored ? rawBytes : zstdFrameContentSize(container.subarray(compressedOffset, compressedOffset + compressedBytes));
    if (declared !== rawBytes) {
      const what = declared === undefined ? 'has no valid zstd frame header with a content size' : `declares ${declared} bytes of content`;
      throw new SnapshotCodecError(`snapshot container frame ${i} ${what}, its index entry says ${rawBytes}`);
    }
    frames.push({ compressedOffset, compressedBytes, rawOffset, rawBytes });
    compressedOffset += compressedBytes;
    rawOffset += rawBytes;
  }
  if (compressedOffset !== container.length) {
    throw new SnapshotCodecError(`snapshot container has ${container.length - compressedOffset} bytes after its last frame`);
  }
  return { frames, rawBytes: rawOffset, stored };
}

/**
 * zstd-codec's one-shot API over the container, bound to this thread's WebAssembly instance.
 * Get it with {@link SnapshotCodec.load}; its methods are synchronous and CPU-bound, so call
 * them on an I/O pool thread, not on the main thread.
 */
export class SnapshotCodec {
  /** This thread's codec, instantiated on first use. */
  static #thread: Promise<SnapshotCodec> | undefined;
  /** The codec `#thread` resolved to, so that an abort in it can invalidate the cache. */
  static #current: SnapshotCodec | undefined;

  readonly #simple: ZstdSimple;
  #aborted = false;

  private constructor(simple: ZstdSimple) {
    this.#simple = simple;
  }

  /**
   * The codec of this thread. The first call instantiates zstd-codec's WebAssembly module
   * (a few tens of milliseconds); later calls return the same codec, until an abort inside the
   * module makes the next call instantiate a fresh one.
   */
  static load(): Promise<SnapshotCodec> {
    SnapshotCodec.#thread ??= SnapshotCodec.#instantiate().catch((error: unknown) => {
      SnapshotCodec.#thread = undefined;
      throw new SnapshotCodecError('could not instantiate zstd-codec (WebAssembly)', { cause: error });
    });
    return SnapshotCodec.#thread;
  }

  /** Compresses `raw` into a container of independent frames. Throws RangeError on bad options. */
  compress(raw: Uint8Array, options: SnapshotCompressOptions = {}): Uint8Array {
    const level = options.level ?? DEFAULT_ZSTD_LEVEL;
    const frameBytes = options.frameBytes ?? MAX_FRAME_RAW_BYTES;
    if (!Number.isInteger(level) || level < MIN_ZSTD_LEVEL || level > MAX_ZSTD_LEVEL) {
      throw new RangeError(`zstd level must be an integer from ${MIN_ZSTD_LEVEL} to ${MAX_ZSTD_LEVEL}, got ${level}`);
    }
    if (!Number.isInteger(frameBytes) || frameBytes < 1 || frameBytes > MAX_FRAME_RAW_BYTES) {
      throw new RangeError(`frameBytes must be an integer from 1 to ${MAX_FRAME_RAW_BYTES}, got ${frameBytes}`);
    }
    const frameCount = Math.ceil(raw.length / frameBytes);
    const frames: Uint8Array[] = [];
    for (let offset = 0; offset < raw.length; offset += frameBytes) {
      const content = raw.subarray(offset, Math.min(offset + frameBytes, raw.length));
      // zstd-codec would compress empty content to a frame it cannot decompress (null): never feed it one.
      const frame = options.store
        ? content
        : this.#call(() => this.#simple.compress(content, level), `compressing frame ${frames.length} of ${frameCount}`);
      if (frame === null) {
        throw new SnapshotCodecError(`zstd could not compress frame ${frames.length} of ${frameCount} (${content.length} bytes at level ${level})`);
      }
      frames.push(frame);
    }
    const indexEnd = SNAPSHOT_HEADER_BYTES + frameCount * SNAPSHOT_INDEX_ENTRY_BYTES;
    const container = new Uint8Array(indexEnd + frames.reduce((sum, frame) => sum + frame.length, 0));
    const view = new DataView(container.buffer);
    container.set(MAGIC, 0);
    view.setUint16(VERSION_OFFSET, SNAPSHOT_CONTAINER_VERSION, true);
    view.setUint16(FLAGS_OFFSET, options.store ? FLAG_STORED : 0, true);
    view.setUint32(FRAME_COUNT_OFFSET, frameCount, true);
    let offset = indexEnd;
    frames.forEach((frame, i) => {
      const entry = SNAPSHOT_HEADER_BYTES + i * SNAPSHOT_INDEX_ENTRY_BYTES;
      view.setUint32(entry, frame.length, true);
      view.setUint32(entry + 4, Math.min(frameBytes, raw.length - i * frameBytes), true);
      container.set(frame, offset);
      offset += frame.length;
    });
    return container;
  }

  /**
   * Decompresses a whole container. The result owns its buffer exactly (offset 0, no slack),
   * so its `buffer` can be transferred. Throws a {@link SnapshotCodecError} on corrupt input.
   */
  decompress(container: Uint8Array): Uint8Array {
    const index = readSnapshotIndex(container);
    let raw: Uint8Array;
    try {
      raw = new Uint8Array(index.rawBytes);
    } catch (error) {
      throw new SnapshotCodecError(`cannot allocate ${index.rawBytes} bytes for a decompressed snapshot`, { cause: error });
    }
    for (let i = 0; i < index.frames.length; i++) this.decompressFrame(container, index, i, raw);
    return raw;
  }

  /**
   * Decompresses frame `frame` of a container whose index {@link readSnapshotIndex} returned,
   * into `into` at the frame's raw offset when given (a buffer of `index.rawBytes`), else into a
   * new array of the frame's raw size. Returns the frame's content.
   */
  decompressFrame(container: Uint8Array, index: SnapshotIndex, frame: number, into?: Uint8Array): Uint8Array {
    const entry = index.frames[frame];
    if (entry === undefined) throw new RangeError(`frame must be from 0 to ${index.frames.length - 1}, got ${frame}`);
    const compressed = container.subarray(entry.compressedOffset, entry.compressedOffset + entry.compressedBytes);
    const content = index.stored
      ? compressed.slice()
      : this.#call(() => this.#simple.decompress(compressed), `decompressing frame ${frame} of ${index.frames.length}`);
    if (content === null || content.length !== entry.rawBytes) {
      throw new SnapshotCodecError(
        `snapshot container frame ${frame} of ${index.frames.length} is corrupt: zstd could not decode its ${entry.compressedBytes} bytes into ${entry.rawBytes}`,
      );
    }
    if (into === undefined) return content;
    into.set(content, entry.rawOffset);
    return into.subarray(entry.rawOffset, entry.rawOffset + entry.rawBytes);
  }

  /** Runs a call into the WebAssembly module, turning its aborts (thrown strings) into errors. */
  #call<T>(call: () => T, what: string): T {
    if (this.#aborted) throw new SnapshotCodecError(`this zstd-codec instance aborted earlier; get a fresh one with SnapshotCodec.load()`);
    try {
      return call();
    } catch (error) {
      // An Emscripten abort leaves the instance in an unknown state: the next load() starts a new one.
      this.#aborted = true;
      if (SnapshotCodec.#current === this) {
        SnapshotCodec.#current = undefined;
        SnapshotCodec.#thread = undefined;
      }
      throw new SnapshotCodecError(`zstd-codec aborted while ${what}: ${String(error)}`, { cause: error });
    }
  }

  static #instantiate(): Promise<SnapshotCodec> {
    return new Promise<SnapshotCodec>((resolve, reject) => {
      try {
        zstdCodec.ZstdCodec.run((zstd) => {
          try {
            const codec = new SnapshotCodec(new zstd.Simple());
            SnapshotCodec.#current = codec;
            resolve(codec);
          } catch (error) {
            reject(error);
          }
        });
      } catch (error) {
        reject(error);
      }
    });
  }
}

/** Compresses `raw` with this thread's codec; see {@link SnapshotCodec.compress}. */
export async function compressSnapshot(raw: Uint8Array, options?: SnapshotCompressOptions): Promise<Uint8Array> {
  return (await SnapshotCodec.load()).compress(raw, options);
}

/** Decompresses a container with this thread's codec; see {@link SnapshotCodec.decompress}. */
export async function decompressSnapshot(container: Uint8Array): Promise<Uint8Array> {
  return (await SnapshotCodec.load()).decompress(container);
}

/** zstd's `ZSTD_COMPRESSBOUND`: the largest frame zstd produces for `rawBytes` of input. */
export function zstdCompressBound(rawBytes: number): number {
  const smallInputMargin = rawBytes < 128 * 1024 ? (128 * 1024 - rawBytes) >> 11 : 0;
  return rawBytes + (rawBytes >> 8) + smallInputMargin;
}

/**
 * The content size a zstd frame's header declares, or undefined if the bytes do not start with a
 * valid frame header that declares one (RFC 8878, 3.1.1). Larger than 2^32 reads as Infinity.
 */
function zstdFrameContentSize(frame: Uint8Array): number | undefined {
  if (frame.length < 5) return undefined;
  const magic = (frame[0]! | (frame[1]! << 8) | (frame[2]! << 16) | (frame[3]! << 24)) >>> 0;
  if (magic !== ZSTD_FRAME_MAGIC) return undefined;
  const descriptor = frame[4]!;
  if ((descriptor & 0x08) !== 0) return undefined; // reserved bit, must be zero
  const contentSizeFlag = descriptor >> 6;
  const singleSegment = (descriptor >> 5) & 1;
  const dictionaryIdBytes = [0, 1, 2, 4][descriptor & 0x03]!;
  const contentSizeBytes = contentSizeFlag === 0 ? singleSegment : [0, 2, 4, 8][contentSizeFlag]!;
  if (contentSizeBytes === 0) return undefined;
  const at = 5 + (singleSegment === 1 ? 0 : 1) + dictionaryIdBytes;
  if (at + contentSizeBytes > frame.length) return undefined;
  let size = 0;
  for (let i = Math.min(contentSizeBytes, 4) - 1; i >= 0; i--) size = size * 256 + frame[at + i]!;
  if (contentSizeBytes === 2) size += 256;
  if (contentSizeBytes === 8) {
    for (let i = 4; i < 8; i++) if (frame[at + i] !== 0) return Infinity;
  }
  return size;
}
