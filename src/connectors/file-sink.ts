/**
 * A sink writing one record per line to a file: `path` itself at parallelism 1, else
 * `path/part-<subtask>` per subtask. Writes are buffered, written in order with async fs,
 * and `finish()` waits for all of them, fsyncs and closes.
 */
import { promises as fsp } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { defineSink } from '../api/functions.js';
import type { SinkContext, SinkFunction } from '../api/functions.js';
import type { SinkSpec } from '../api/specs.js';
import { ConfigurationError, SluiceError } from '../errors/index.js';
import { choiceOption, describeValue, optionsObject, pathOption } from './option-checks.js';
import type { RestorableSinkFunction } from './restorable-sink.js';

/** How a record becomes a line. */
export type FileSinkFormat = 'lines' | 'ndjson';

/** Options of {@link fileSink}. */
export interface FileSinkOptions {
  /** The file to write at parallelism 1; the directory of part files at parallelism above 1. */
  readonly path: string;
  /** `'lines'`: `String(record)`; `'ndjson'`: `JSON.stringify(record)`. One line per record. */
  readonly format: FileSinkFormat;
}

/** What a file sink subtask's `finish()` returns. */
export interface FileSinkResult {
  /** Absolute path of the file this subtask wrote. */
  readonly path: string;
  /** Records written. */
  readonly records: number;
  /** Bytes written. */
  readonly bytes: number;
}

/** A file sink subtask's checkpointed state: the file's length and records at the checkpoint. */
export interface FileSinkState {
  readonly bytes: number;
  readonly records: number;
}

/** The file sink's options after validation: what crosses to the workers. */
export interface ResolvedFileSinkOptions {
  /** Absolute. */
  readonly path: string;
  readonly format: FileSinkFormat;
}

const CONNECTOR = 'fileSink';
/** Buffered text is handed to the file once it holds this many UTF-16 code units (≥ 64 KiB of UTF-8). */
const FLUSH_THRESHOLD_CHARS = 64 * 1024;

/** Validates file sink options. */
export function resolveFileSinkOptions(options: unknown): ResolvedFileSinkOptions {
  const given = optionsObject(CONNECTOR, options);
  const path = resolve(pathOption(CONNECTOR, 'path', given.path));
  const format = choiceOption(CONNECTOR, 'format', given.format, ['lines', 'ndjson'] as const);
  return { path, format };
}

/** Writes all of `bytes` at `position`: a positional write may write less than asked. */
async function writeFully(handle: FileHandle, bytes: Buffer, position: number): Promise<void> {
  let written = 0;
  while (written < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, written, bytes.length - written, position + written);
    written += bytesWritten;
  }
}

/** One subtask of the file sink. */
class FileSinkSubtask implements RestorableSinkFunction<unknown, FileSinkResult, FileSinkState> {
  readonly #options: ResolvedFileSinkOptions;
  #target = '';
  #subtaskIndex = 0;
  #handle: FileHandle | null = null;
  /** Lines not yet handed to the file. */
  #pending = '';
  #records = 0;
  /** Bytes handed to the write queue: the file's length once the queue drains. */
  #queuedBytes = 0;
  /** Writes run one after another, in the order they were queued. */
  #queue: Promise<void> = Promise.resolve();
  /** The first write error; later writes are skipped. */
  #writeError: unknown = undefined;
  #finished: Promise<FileSinkResult> | null = null;

  constructor(options: ResolvedFileSinkOptions) {
    this.#options = options;
  }

  async open(ctx: SinkContext, restoredState?: FileSinkState): Promise<void> {
    const { path } = this.#options;
    this.#subtaskIndex = ctx.subtaskIndex;
    if (ctx.parallelism === 1) {
      this.#target = path;
      await fsp.mkdir(dirname(path), { recursive: true });
    } else {
      this.#target = join(path, `part-${ctx.subtaskIndex}`);
      try {
        await fsp.mkdir(path, { recursive: true });
      } catch (error) {
        throw new ConfigurationError(
          `file sink subtask ${ctx.subtaskIndex}: at parallelism ${ctx.parallelism} it writes part files into the directory ` +
            `${path}, which cannot be created (${String(error)}); give a directory path, or run the sink at parallelism 1`,
          { cause: error },
        );
      }
    }
    if (restoredState === undefined) {
      this.#handle = await fsp.open(this.#target, 'w');
      return;
    }
    const { bytes, records } = restoredState;
    if (!(Number.isSafeInteger(bytes) && bytes >= 0 && Number.isSafeInteger(records) && records >= 0)) {
      throw new TypeError(`file sink subtask ${ctx.subtaskIndex}: invalid restored state ${describeValue(restoredState)}`);
    }
    const handle = await fsp.open(this.#target, bytes === 0 ? 'w' : 'r+');
    this.#handle = handle;
    const { size } = await handle.stat();
    if (size < bytes) {
      throw new SluiceError(
        'SLUICE_FILE_WRITE',
        `file sink subtask ${ctx.subtaskIndex}: ${this.#target} has ${size} bytes but the checkpoint restored from recorded ${bytes}; ` +
          'the file was changed outside the job',
      );
    }
    // Drop what was written after the checkpoint: it is about to be written again.
    await handle.truncate(bytes);
    this.#queuedBytes = bytes;
    this.#records = records;
  }

  write(record: unknown): void {
    if (this.#writeError !== undefined) throw this.#failure();
    let line: string;
    if (this.#options.format === 'lines') {
      line = String(record);
    } else {
      const json = JSON.stringify(record) as string | undefined;
      if (json === undefined) {
        throw new TypeError(`file sink subtask ${this.#subtaskIndex}: ${describeValue(record)} has no JSON form (format 'ndjson')`);
      }
      line = json;
    }
    this.#pending += `${line}\n`;
    this.#records++;
    if (this.#pending.length >= FLUSH_THRESHOLD_CHARS) this.#flush();
  }

  snapshotState(): Promise<FileSinkState> {
    this.#flush();
    const state: FileSinkState = { bytes: this.#queuedBytes, records: this.#records };
    return this.#drain().then(async () => {
      // After finish() the file is already synced and closed.
      await this.#handle?.datasync();
      return state;
    });
  }

  finish(): Promise<FileSinkResult> {
    this.#finished ??= (async () => {
      this.#flush();
      await this.#drain();
      const handle = this.#handle!;
      this.#handle = null;
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
      return { path: this.#target, records: this.#records, bytes: this.#queuedBytes };
    })();
    return this.#finished;
  }

  async close(): Promise<void> {
    const handle = this.#handle;
    this.#handle = null;
    if (handle === null) return;
    // After a failure nothing more is flushed; only let queued writes settle before closing.
    await this.#queue;
    await handle.close();
  }

  /** Hands the pending lines to the write queue. */
  #flush(): void {
    if (this.#pending.length === 0) return;
    const handle = this.#handle;
    if (handle === null) throw new Error(`file sink subtask ${this.#subtaskIndex}: written to before open or after finish`);
    const bytes = Buffer.from(this.#pending, 'utf8');
    this.#pending = '';
    const position = this.#queuedBytes;
    this.#queuedBytes += bytes.length;
    this.#queue = this.#queue.then(async () => {
      if (this.#writeError !== undefined) return;
      try {
        await writeFully(handle, bytes, position);
      } catch (error) {
        this.#writeError = error;
      }
    });
  }

  /** Waits for the queued writes; rejects with the first write error. */
  async #drain(): Promise<void> {
    await this.#queue;
    if (this.#writeError !== undefined) throw this.#failure();
  }

  #failure(): SluiceError {
    return new SluiceError(
      'SLUICE_FILE_WRITE',
      `file sink subtask ${this.#subtaskIndex}: writing ${this.#target} failed: ${String(this.#writeError)}`,
      { cause: this.#writeError },
    );
  }
}

/** The file sink's definition; the runtime instantiates it in each subtask's worker. */
export const fileSinkDefinition = defineSink(
  import.meta,
  (options: unknown): SinkFunction<unknown> => new FileSinkSubtask(resolveFileSinkOptions(options)),
);

/**
 * A sink writing one line per record: to `path` at parallelism 1, else to
 * `path/part-<subtask>` (the directory is created). Each subtask's part of the job result is
 * a {@link FileSinkResult}.
 *
 * ```ts
 * stream.sink(fileSink({ path: 'out.ndjson', format: 'ndjson' }));
 * ```
 *
 * @throws ConfigurationError if an option is invalid.
 */
export function fileSink<T = unknown>(options: FileSinkOptions): SinkSpec<T> {
  return { fn: fileSinkDefinition, options: resolveFileSinkOptions(options), name: 'file-sink' };
}
