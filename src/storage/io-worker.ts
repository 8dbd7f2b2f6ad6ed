/**
 * The I/O pool's worker (piscina `filename`, started from dist/src/storage/io-worker.js): runs
 * the asynchronous phase of snapshots (compress, checksum, write, fsync) and their restore
 * (read, verify, decompress) off the main thread. Each thread instantiates zstd-codec once, on
 * its first task. Storage errors come back as `failed` results, so their code, file and reason
 * survive the thread boundary; anything else is thrown and reaches the caller as piscina's error.
 */
import { move, transferableSymbol, valueSymbol } from 'piscina';
import { assertNever } from '../errors/sluice-error.js';
import { serializeStorageError } from './io-protocol.js';
import type { IoResult, IoTask } from './io-protocol.js';
import { checkSegmentedFile, checkSnapshotFile, encodeSnapshot, readSnapshotFile, readSnapshotSegment, writeMergedFile, writeSnapshotFile } from './snapshot-file.js';
import type { SerializedStorageError } from './io-protocol.js';

/** A result whose ArrayBuffer is transferred to the main thread, not copied (piscina's Transferable). */
class TransferredResult {
  readonly #result: IoResult;
  readonly #transfer: ArrayBuffer;

  constructor(result: IoResult, transfer: ArrayBuffer) {
    this.#result = result;
    this.#transfer = transfer;
  }

  get [transferableSymbol](): ArrayBuffer[] {
    return [this.#transfer];
  }

  get [valueSymbol](): IoResult {
    return this.#result;
  }
}

/** Runs one I/O task. */
export default async function runIoTask(task: IoTask): Promise<IoResult | TransferredResult> {
  try {
    switch (task.type) {
      case 'write-snapshot-file': {
        const raw = new Uint8Array(task.buffer, task.byteOffset, task.byteLength);
        return { type: 'written', info: await writeSnapshotFile(task.path, raw, { store: task.store, ...(task.level === undefined ? {} : { level: task.level }) }) };
      }
      case 'encode-snapshot': {
        const raw = new Uint8Array(task.buffer, task.byteOffset, task.byteLength);
        const { data, ...info } = await encodeSnapshot(raw, { store: task.store, ...(task.level === undefined ? {} : { level: task.level }) });
        // The codec returns an array that owns its buffer exactly: the whole buffer is the container.
        const buffer = data.buffer as ArrayBuffer;
        return move(new TransferredResult({ type: 'encoded', data: buffer, info }, buffer)) as TransferredResult;
      }
      case 'write-merged-file':
        return { type: 'written-merged', bytes: await writeMergedFile(task.path, task.parts.map((part) => new Uint8Array(part))) };
      case 'read-snapshot-segment': {
        const raw = await readSnapshotSegment(task.path, task.segment);
        const bytes = raw.buffer as ArrayBuffer;
        return move(new TransferredResult({ type: 'read', bytes }, bytes)) as TransferredResult;
      }
      case 'check-segmented-file': {
        const problems = await checkSegmentedFile(task.path, task.bytes, task.segments, task.verify);
        return { type: 'checked-segments', problems: problems.map((problem) => serializeStorageError(problem) as SerializedStorageError) };
      }
      case 'read-snapshot-file': {
        const raw = await readSnapshotFile(task.path, task.expected);
        // The codec returns an array that owns its buffer exactly: the whole buffer is the snapshot.
        const bytes = raw.buffer as ArrayBuffer;
        return move(new TransferredResult({ type: 'read', bytes }, bytes)) as TransferredResult;
      }
      case 'check-snapshot-file': {
        const problem = await checkSnapshotFile(task.path, task.expected, task.verify);
        return { type: 'checked', problem: problem === undefined ? undefined : serializeStorageError(problem) };
      }
      default:
        return assertNever(task);
    }
  } catch (error) {
    const serialized = serializeStorageError(error);
    if (serialized === undefined) throw error;
    return { type: 'failed', error: serialized };
  }
}
