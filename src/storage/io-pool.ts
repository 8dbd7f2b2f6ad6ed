/**
 * The I/O pool (main thread side): a piscina pool that runs the asynchronous phase of
 * snapshots — compress, checksum, write, fsync — and their restore off the main thread and off
 * the operators' threads. Snapshot bytes move into the pool and restored bytes move back by
 * transfer, not copy.
 */
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { deserializeStorageError } from './io-protocol.js';
import type { IoResult, IoTask } from './io-protocol.js';
import type { ExpectedSegment, ExpectedSnapshotFile, SnapshotFileInfo, SnapshotFileVerification } from './snapshot-file.js';
import type { CheckpointCorruptError } from './storage-errors.js';
import { CheckpointWriteError } from './storage-errors.js';
import { storageWriteFault } from './storage-faults.js';

/** The worker module, next to this one: run from dist/, as Node 20 cannot start a worker from a .ts file. */
// A CommonJS shim that import()s the worker (see io-worker-shim.cts for why).
const IO_WORKER = fileURLToPath(new URL('./io-worker-shim.cjs', import.meta.url));

/** Options of an {@link IoPool}. */
export interface IoPoolOptions {
  /** Threads of the pool, a positive integer; default 1 (the operators' threads need the cores). */
  readonly threads?: number;
  /**
   * Tasks one thread runs at a time, a positive integer; default 2, so a thread compresses the
   * next file while the previous one's write and fsync are in flight.
   */
  readonly concurrentTasksPerThread?: number;
}

/** A snapshot to compress and write. */
export interface WriteSnapshotFileRequest {
  /** Absolute path of the file to create (or truncate). */
  readonly path: string;
  /**
   * The raw snapshot. Its buffer passes to the pool (transferred: detached here) when it is an
   * ArrayBuffer or a Uint8Array that spans its whole ArrayBuffer; a view of part of a buffer is
   * copied first; a SharedArrayBuffer is shared, and must not change until the write completes.
   */
  readonly bytes: ArrayBuffer | Uint8Array;
  /** zstd level; default 1 (see zstd.ts for the range). */
  readonly level?: number;
  /** Write the container's frames uncompressed (in-flight data: write time matters more than size). */
  readonly store?: boolean;
}

/** A snapshot to compress (or store) and hash, without writing it. */
export interface EncodeSnapshotRequest {
  /** The raw snapshot; handed over as {@link WriteSnapshotFileRequest.bytes} is. */
  readonly bytes: ArrayBuffer | Uint8Array;
  /** zstd level; default 1. */
  readonly level?: number;
  /** Store the container's frames uncompressed. */
  readonly store?: boolean;
}

/** An encoded segment, back from the pool: its container (owning its buffer exactly) and figures. */
export interface EncodedSnapshot extends SnapshotFileInfo {
  readonly data: Uint8Array;
}

/** A segment of a file to read back. */
export interface ReadSnapshotSegmentRequest {
  /** Absolute path of the file that holds it. */
  readonly path: string;
  /** Where it is, its size and checksum from `_metadata`, and what it holds (for messages). */
  readonly segment: ExpectedSegment;
}

/** A file of segments to check without decompressing them. */
export interface CheckSegmentedFileRequest {
  /** Absolute path of the file. */
  readonly path: string;
  /** Its size from `_metadata`. */
  readonly bytes: number;
  /** The segments it holds. */
  readonly segments: readonly ExpectedSegment[];
  /** Size only, or size and each segment's checksum. */
  readonly verify: SnapshotFileVerification;
}

/** A snapshot file to read back. */
export interface ReadSnapshotFileRequest {
  /** Absolute path of the file. */
  readonly path: string;
  /** Size and checksum from `_metadata`. */
  readonly expected: ExpectedSnapshotFile;
}

/** A snapshot file to check without decompressing it. */
export interface CheckSnapshotFileRequest extends ReadSnapshotFileRequest {
  /** Size only, or size and checksum. */
  readonly verify: SnapshotFileVerification;
}

/** A piscina pool for snapshot file I/O. Close it with `await pool.close()` (idempotent). */
export class IoPool {
  readonly #pool: Piscina<IoTask, IoResult>;
  readonly #threads: number;
  #closed: Promise<void> | undefined;

  constructor(options: IoPoolOptions = {}) {
    const threads = options.threads ?? 1;
    const concurrentTasksPerThread = options.concurrentTasksPerThread ?? 2;
    if (!Number.isSafeInteger(threads) || threads < 1) throw new TypeError(`options.threads must be a positive integer, got ${threads}`);
    if (!Number.isSafeInteger(concurrentTasksPerThread) || concurrentTasksPerThread < 1) {
      throw new TypeError(`options.concurrentTasksPerThread must be a positive integer, got ${concurrentTasksPerThread}`);
    }
    this.#threads = threads;
    this.#pool = new Piscina<IoTask, IoResult>({
      filename: IO_WORKER,
      minThreads: threads,
      maxThreads: threads,
      // The main thread never blocks, and tasks are asynchronous: no Atomics.wait between tasks.
      atomics: 'disabled',
      idleTimeout: Infinity,
      concurrentTasksPerWorker: concurrentTasksPerThread,
    });
  }

  /** Threads of the pool. */
  get threads(): number {
    return this.#threads;
  }

  /**
   * Compresses a snapshot, writes it to `request.path` and fsyncs it, on a pool thread. Resolves
   * to the size, raw size and SHA-256 that `_metadata` records for the file. Rejects with a
   * CheckpointWriteError naming the file if the write fails.
   */
  async writeSnapshotFile(request: WriteSnapshotFileRequest): Promise<SnapshotFileInfo> {
    const fault = storageWriteFault(request.path);
    if (fault) throw new CheckpointWriteError(request.path, `could not write ${request.path}: ${fault.message}`, { cause: fault });
    const { buffer, byteOffset, byteLength, transferList } = handOver(request.bytes);
    const result = await this.#run({ type: 'write-snapshot-file', path: request.path, buffer, byteOffset, byteLength, level: request.level, store: request.store ?? false }, transferList);
    if (result.type !== 'written') throw unexpected(result);
    return result.info;
  }

  /**
   * Compresses (or stores) a snapshot and hashes it on a pool thread; resolves to the container
   * (transferred back) and its figures, for {@link writeMergedFile}.
   */
  async encodeSnapshot(request: EncodeSnapshotRequest): Promise<EncodedSnapshot> {
    const { buffer, byteOffset, byteLength, transferList } = handOver(request.bytes);
    const result = await this.#run({ type: 'encode-snapshot', buffer, byteOffset, byteLength, level: request.level, store: request.store ?? false }, transferList);
    if (result.type !== 'encoded') throw unexpected(result);
    return { data: new Uint8Array(result.data), ...result.info };
  }

  /**
   * Writes encoded segments back to back into `path` and fsyncs it once, on a pool thread (their
   * buffers are transferred: detached here). Resolves to the file's size. Rejects with a
   * CheckpointWriteError naming the file if the write fails.
   */
  async writeMergedFile(path: string, parts: readonly Uint8Array[]): Promise<number> {
    const fault = storageWriteFault(path);
    if (fault) throw new CheckpointWriteError(path, `could not write ${path}: ${fault.message}`, { cause: fault });
    const buffers = parts.map((part) => handOver(part));
    const transferList = buffers.flatMap((part) => part.transferList);
    const sent = buffers.map((part) => (part.byteOffset === 0 && part.byteLength === part.buffer.byteLength ? part.buffer : part.buffer.slice(part.byteOffset, part.byteOffset + part.byteLength))) as ArrayBuffer[];
    const result = await this.#run({ type: 'write-merged-file', path, parts: sent }, transferList);
    if (result.type !== 'written-merged') throw unexpected(result);
    return result.bytes;
  }

  /**
   * Reads one segment of a file on a pool thread, verifies its size and checksum, decompresses
   * it, and resolves to the raw snapshot (transferred). Rejects with a CheckpointCorruptError
   * naming the file, the segment and its offset.
   */
  async readSnapshotSegment(request: ReadSnapshotSegmentRequest): Promise<ArrayBuffer> {
    const result = await this.#run({ type: 'read-snapshot-segment', path: request.path, segment: request.segment }, []);
    if (result.type !== 'read') throw unexpected(result);
    return result.bytes;
  }

  /**
   * Checks a file of segments on a pool thread: its size, and with `verify: 'checksum'` each
   * segment's SHA-256. Resolves to the problems found (not thrown); empty if it passes.
   */
  async checkSegmentedFile(request: CheckSegmentedFileRequest): Promise<CheckpointCorruptError[]> {
    const result = await this.#run({ type: 'check-segmented-file', path: request.path, bytes: request.bytes, segments: request.segments, verify: request.verify }, []);
    if (result.type !== 'checked-segments') throw unexpected(result);
    return result.problems.map((problem) => deserializeStorageError(problem) as CheckpointCorruptError);
  }

  /**
   * Reads a snapshot file on a pool thread, verifies its size and checksum, decompresses it, and
   * resolves to the raw snapshot (transferred from the pool thread). Rejects with a
   * CheckpointCorruptError naming the file and whether it is missing, truncated or corrupt.
   */
  async readSnapshotFile(request: ReadSnapshotFileRequest): Promise<ArrayBuffer> {
    const result = await this.#run({ type: 'read-snapshot-file', path: request.path, expected: request.expected }, []);
    if (result.type !== 'read') throw unexpected(result);
    return result.bytes;
  }

  /**
   * Checks a snapshot file's size and, with `verify: 'checksum'`, its SHA-256 on a pool thread.
   * Resolves to the problem (a CheckpointCorruptError, not thrown) or undefined if it passes.
   */
  async checkSnapshotFile(request: CheckSnapshotFileRequest): Promise<CheckpointCorruptError | undefined> {
    const result = await this.#run({ type: 'check-snapshot-file', path: request.path, expected: request.expected, verify: request.verify }, []);
    if (result.type !== 'checked') throw unexpected(result);
    return result.problem === undefined ? undefined : (deserializeStorageError(result.problem) as CheckpointCorruptError);
  }

  /** Waits for queued and running tasks to finish, then stops the threads. Idempotent. */
  close(): Promise<void> {
    this.#closed ??= this.#pool.close();
    return this.#closed;
  }

  async #run(task: IoTask, transferList: ArrayBuffer[]): Promise<IoResult> {
    if (this.#closed !== undefined) throw new Error(`the I/O pool is closed: cannot run '${task.type}'${'path' in task ? ` for ${task.path}` : ''}`);
    const result = await this.#pool.run(task, { transferList });
    if (result.type === 'failed') throw deserializeStorageError(result.error);
    return result;
  }
}

/** How a snapshot's bytes travel to the pool: what to send, and what to transfer. */
function handOver(bytes: ArrayBuffer | Uint8Array): { buffer: ArrayBufferLike; byteOffset: number; byteLength: number; transferList: ArrayBuffer[] } {
  if (bytes instanceof ArrayBuffer) return { buffer: bytes, byteOffset: 0, byteLength: bytes.byteLength, transferList: [bytes] };
  if (!(bytes instanceof Uint8Array)) throw new TypeError('bytes must be an ArrayBuffer or a Uint8Array');
  if (!(bytes.buffer instanceof ArrayBuffer)) {
    return { buffer: bytes.buffer, byteOffset: bytes.byteOffset, byteLength: bytes.byteLength, transferList: [] };
  }
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength) {
    return { buffer: bytes.buffer, byteOffset: 0, byteLength: bytes.byteLength, transferList: [bytes.buffer] };
  }
  // Transferring the whole buffer would detach bytes the caller did not hand over.
  const copy = bytes.slice().buffer;
  return { buffer: copy, byteOffset: 0, byteLength: copy.byteLength, transferList: [copy] };
}

function unexpected(result: IoResult): Error {
  return new Error(`the I/O worker answered '${result.type}', which does not match the task`);
}
