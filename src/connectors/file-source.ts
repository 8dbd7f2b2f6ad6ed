/**
 * A bounded source that reads a text file line by line, split across subtasks by byte ranges.
 *
 * ## Split
 *
 * With `size` the file's size when the source was created, subtask `i` of `p` owns the lines
 * that start in `[floor(i·size/p), floor((i+1)·size/p))`. A line starts at offset 0 and after
 * every `\n`; a trailing `\n` does not start a line. A subtask whose range does not start at 0
 * skips to the first line start in its range, and it reads past the end of its range to finish
 * its last line, so every line is read by exactly one subtask (Hadoop's line-split rule).
 *
 * ## Position
 *
 * The byte offset of the next line the subtask has not emitted: always a line start. `open`
 * with it resumes at exactly that line.
 *
 * ## Lines
 *
 * A line ends at `\n`; one `\r` before it is dropped (CRLF). The last line may lack a newline.
 * A UTF-8 byte order mark at offset 0 is dropped. Only whole lines are decoded, so multi-byte
 * characters split across read chunks are decoded correctly; invalid UTF-8 becomes U+FFFD.
 */
import { promises as fsp, statSync, writeSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Collector } from '../api/context.js';
import { defineSource } from '../api/functions.js';
import type { SourceContext, SourceFunction, SourceStatus } from '../api/functions.js';
import { OBJECT_RECORDS } from '../api/specs.js';
import type { SourceSpec } from '../api/specs.js';
import { ConfigurationError, MalformedInputError, SluiceError } from '../errors/index.js';
import { choiceOption, describeValue, hasIntegerPairs, integerOption, optionsObject, pathOption } from './option-checks.js';

/** How the file's lines become records. */
export type FileSourceFormat = 'lines' | 'ndjson';

/** What to do with a line that is not valid JSON in the `'ndjson'` format. */
export type MalformedLinePolicy = 'fail' | 'dead-letter';

/** Options of {@link fileSource}. */
export interface FileSourceOptions {
  /** The file to read. */
  readonly path: string;
  /**
   * `'lines'`: each line is a string record, empty lines included (as `''`).
   * `'ndjson'`: each line is parsed as JSON; blank lines are skipped.
   */
  readonly format: FileSourceFormat;
  /**
   * `'ndjson'` only. `'fail'` (default): a malformed line fails the job with a
   * MalformedInputError naming the file and line. `'dead-letter'`: the line is written to
   * `deadLetterPath` (see {@link DeadLetterEntry}) and reading goes on.
   */
  readonly onMalformed?: MalformedLinePolicy;
  /**
   * Where malformed lines go with `onMalformed: 'dead-letter'`: this file when the source has
   * parallelism 1, else `<deadLetterPath>.<subtask>` per subtask. Rewritten when the job starts.
   */
  readonly deadLetterPath?: string;
  /** Only `'utf8'` (the default). */
  readonly encoding?: 'utf8';
  /** @internal Bytes per read; tests make it small to cross chunk boundaries. Default 256 KiB. */
  readonly readChunkBytes?: number;
}

/** One line of a dead-letter file (NDJSON). */
export interface DeadLetterEntry {
  /** Absolute path of the file the line came from. */
  readonly file: string;
  /** 1-based line number in the whole file. */
  readonly line: number;
  /** Byte offset of the line's start in the file. */
  readonly offset: number;
  /** The line's text, without its line terminator. */
  readonly text: string;
  /** Why it could not be parsed. */
  readonly error: string;
}

/** The file source's options after validation: what crosses to the workers. */
export interface ResolvedFileSourceOptions {
  /** Absolute. */
  readonly path: string;
  readonly format: FileSourceFormat;
  readonly onMalformed: MalformedLinePolicy;
  /** Absolute; null unless `onMalformed` is `'dead-letter'`. */
  readonly deadLetterPath: string | null;
  /** The file's size when the source was created: every subtask splits the same bytes. */
  readonly sizeBytes: number;
  readonly readChunkBytes: number;
}

const CONNECTOR = 'fileSource';
/** Default bytes per read. */
export const FILE_SOURCE_READ_CHUNK_BYTES = 256 * 1024;
/** Bytes per read when counting the lines before a subtask's first line. */
const LINE_COUNT_CHUNK_BYTES = 1024 * 1024;
const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/**
 * Validates file source options: the file must exist and be a regular file. Records its size,
 * so that all subtasks split the same bytes.
 */
export function resolveFileSourceOptions(options: unknown): ResolvedFileSourceOptions {
  const checked = checkFileSourceOptions(options);
  let sizeBytes: number;
  try {
    const stats = statSync(checked.path);
    if (!stats.isFile()) {
      throw new ConfigurationError(`${CONNECTOR}: ${checked.path} is not a regular file; give the path of a file to read`);
    }
    sizeBytes = stats.size;
  } catch (error) {
    if (error instanceof ConfigurationError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? String(error)})`;
    throw new ConfigurationError(`${CONNECTOR}: ${checked.path} ${why}; give the path of a file to read`, { cause: error });
  }
  return { ...checked, sizeBytes };
}

/**
 * The options a worker receives: resolved on the main thread, so the size recorded there is
 * kept (the file may have grown since); options that were never resolved are resolved here.
 */
function fileSourceOptionsInWorker(options: unknown): ResolvedFileSourceOptions {
  const sizeBytes = optionsObject(CONNECTOR, options).sizeBytes;
  if (!(Number.isSafeInteger(sizeBytes) && (sizeBytes as number) >= 0)) return resolveFileSourceOptions(options);
  return { ...checkFileSourceOptions(options), sizeBytes: sizeBytes as number };
}

/** Every check but the file's existence. */
function checkFileSourceOptions(options: unknown): Omit<ResolvedFileSourceOptions, 'sizeBytes'> {
  const given = optionsObject(CONNECTOR, options);
  const path = resolve(pathOption(CONNECTOR, 'path', given.path));
  const format = choiceOption(CONNECTOR, 'format', given.format, ['lines', 'ndjson'] as const);
  const onMalformed = choiceOption(CONNECTOR, 'onMalformed', given.onMalformed, ['fail', 'dead-letter'] as const, 'fail');
  choiceOption(CONNECTOR, 'encoding', given.encoding, ['utf8'] as const, 'utf8');
  const readChunkBytes = integerOption(CONNECTOR, 'readChunkBytes', given.readChunkBytes, {
    min: 1,
    fallback: FILE_SOURCE_READ_CHUNK_BYTES,
  });
  let deadLetterPath: string | null = null;
  if (onMalformed === 'dead-letter') {
    if (format !== 'ndjson') {
      throw new ConfigurationError(`${CONNECTOR}: onMalformed: 'dead-letter' applies to format 'ndjson' only (${path})`);
    }
    if (given.deadLetterPath === undefined || given.deadLetterPath === null) {
      throw new ConfigurationError(
        `${CONNECTOR}: onMalformed: 'dead-letter' needs options.deadLetterPath, the file malformed lines of ${path} go to`,
      );
    }
    deadLetterPath = resolve(pathOption(CONNECTOR, 'deadLetterPath', given.deadLetterPath));
  } else if (given.deadLetterPath !== undefined && given.deadLetterPath !== null) {
    throw new ConfigurationError(`${CONNECTOR}: options.deadLetterPath is used only with onMalformed: 'dead-letter'`);
  }
  return { path, format, onMalformed, deadLetterPath, readChunkBytes };
}

/** Whether bytes `[start, end)` of `buffer` are all spaces, tabs or carriage returns. */
function isBlank(buffer: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const byte = buffer[i];
    if (byte !== 0x20 && byte !== 0x09 && byte !== CARRIAGE_RETURN) return false;
  }
  return true;
}

/** Whether a UTF-8 byte order mark starts at `start`. */
function hasByteOrderMark(buffer: Buffer, start: number, end: number): boolean {
  return end - start >= 3 && buffer[start] === 0xef && buffer[start + 1] === 0xbb && buffer[start + 2] === 0xbf;
}

/** Where a subtask sends malformed lines. */
interface MalformedLineSink {
  /** Handles one malformed line; throws to fail the job. */
  accept(entry: DeadLetterEntry, cause: unknown): void;
  close(): Promise<void>;
}

/** onMalformed 'fail': the job fails, naming the file and line. */
const FAIL_ON_MALFORMED: MalformedLineSink = {
  accept(entry, cause) {
    throw new MalformedInputError(
      `${entry.file}:${entry.line}: malformed NDJSON line (${entry.error}); ` +
        `fix the line, or read with onMalformed: 'dead-letter' to set such lines aside`,
      { cause },
    );
  },
  async close() {},
};

/**
 * onMalformed 'dead-letter': appends entries to the subtask's dead-letter file with a
 * synchronous write, so an entry is in the file before the source's position moves past its
 * line (a checkpoint taken afterwards never loses it). Malformed lines are rare, so the short
 * write does not matter to throughput.
 */
class DeadLetterFile implements MalformedLineSink {
  readonly #ctx: SourceContext;
  #handle: FileHandle | null;

  private constructor(ctx: SourceContext, handle: FileHandle) {
    this.#ctx = ctx;
    this.#handle = handle;
  }

  /**
   * Opens the subtask's dead-letter file. A fresh start empties it. A resume keeps exactly
   * the entries of lines before `resumeOffset`: the lines after it are read again and their
   * entries written again, so nothing is lost and nothing is written twice.
   */
  static async open(ctx: SourceContext, path: string, resumeOffset: number | undefined): Promise<DeadLetterFile> {
    await fsp.mkdir(dirname(path), { recursive: true });
    if (resumeOffset === undefined) {
      await fsp.writeFile(path, '');
    } else {
      let kept = '';
      try {
        const previous = await fsp.readFile(path, 'utf8');
        for (const line of previous.split('\n')) {
          const entry = parseDeadLetterEntry(line);
          if (entry !== undefined && entry.offset < resumeOffset) kept += `${line}\n`;
        }
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
      // Replace atomically: a crash while rewriting must not lose the entries kept.
      const temporary = `${path}.rewrite`;
      await fsp.writeFile(temporary, kept);
      await fsp.rename(temporary, path);
    }
    return new DeadLetterFile(ctx, await fsp.open(path, 'a'));
  }

  accept(entry: DeadLetterEntry): void {
    if (this.#handle === null) throw new Error('dead-letter file used after close');
    writeSync(this.#handle.fd, `${JSON.stringify(entry)}\n`);
    this.#ctx.deadLetters.count++;
  }

  async close(): Promise<void> {
    const handle = this.#handle;
    this.#handle = null;
    if (handle === null) return;
    try {
      await handle.datasync();
    } finally {
      await handle.close();
    }
  }
}

/** A dead-letter entry from one line of a dead-letter file, or undefined if it is not one (a torn last line). */
function parseDeadLetterEntry(line: string): DeadLetterEntry | undefined {
  if (line.length === 0) return undefined;
  try {
    const entry = JSON.parse(line) as Partial<DeadLetterEntry> | null;
    return entry !== null && typeof entry === 'object' && typeof entry.offset === 'number' ? (entry as DeadLetterEntry) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * One subtask of the file source. Holds the bytes read but not yet emitted in one buffer;
 * at most one read is in flight, and it fills the buffer after `#length`, which `poll` does
 * not touch, so reading overlaps emitting.
 */
class FileSourceSubtask implements SourceFunction<unknown, number> {
  readonly #options: ResolvedFileSourceOptions;
  #ctx: SourceContext | null = null;
  #handle: FileHandle | null = null;
  #malformed: MalformedLineSink = FAIL_ON_MALFORMED;
  /** End of the subtask's byte range: it emits the lines that start before it. */
  #splitEnd = 0;

  #buffer: Buffer;
  /** `#buffer.subarray(0, #length)`, so that searches stop at the bytes read. */
  #view: Buffer;
  /** File offset of `#buffer[0]`. */
  #bufferStart = 0;
  /** Bytes of `#buffer` that hold file data. */
  #length = 0;
  /** Index in `#buffer` of the next line to emit: `#bufferStart + #scan` is the position. */
  #scan = 0;
  /** No newline lies in `[#scan, #searchFrom)`: a long line is searched only once. */
  #searchFrom = 0;
  #eof = false;
  #reading = false;
  /** The last poll returned 'idle': whatever completes next must wake the subtask. */
  #idle = false;
  #closed = false;
  /** A read that failed, thrown by the next poll. */
  #failure: Error | null = null;

  /** File offset of the first line this subtask read (after its skip, or where it resumed). */
  #anchorOffset = 0;
  /** Lines before the anchor, counted only when a malformed line needs its line number. */
  #linesBeforeAnchor: number | undefined;
  #countingLines = false;
  /** Lines consumed since the anchor, emitted or not. */
  #linesSinceAnchor = 0;

  constructor(options: ResolvedFileSourceOptions) {
    this.#options = options;
    this.#buffer = Buffer.allocUnsafe(2 * options.readChunkBytes);
    this.#view = this.#buffer.subarray(0, 0);
  }

  async open(ctx: SourceContext, restoredPosition: number | undefined): Promise<void> {
    const { path, sizeBytes, onMalformed, deadLetterPath } = this.#options;
    const { subtaskIndex, parallelism } = ctx;
    if (restoredPosition !== undefined && !(Number.isSafeInteger(restoredPosition) && restoredPosition >= 0)) {
      throw new ConfigurationError(
        `file source subtask ${subtaskIndex} (${path}): cannot resume from ${describeValue(restoredPosition)}; a position is a byte offset`,
      );
    }
    this.#ctx = ctx;
    const splitStart = Math.floor((subtaskIndex * sizeBytes) / parallelism);
    this.#splitEnd = Math.floor(((subtaskIndex + 1) * sizeBytes) / parallelism);
    if (restoredPosition !== undefined && restoredPosition < splitStart) {
      throw new ConfigurationError(
        `file source subtask ${subtaskIndex} of ${parallelism} (${path}): cannot resume from byte ${restoredPosition}, ` +
          `before its range [${splitStart}, ${this.#splitEnd}); the checkpoint was taken at a different parallelism`,
      );
    }
    try {
      this.#handle = await fsp.open(path, 'r');
    } catch (error) {
      throw new SluiceError('SLUICE_FILE_READ', `file source subtask ${subtaskIndex}: cannot open ${path}: ${String(error)}`, {
        cause: error,
      });
    }
    if (onMalformed === 'dead-letter') {
      const subtaskPath = parallelism === 1 ? deadLetterPath! : `${deadLetterPath!}.${subtaskIndex}`;
      this.#malformed = await DeadLetterFile.open(ctx, subtaskPath, restoredPosition);
    }
    if (restoredPosition !== undefined) {
      this.#bufferStart = restoredPosition;
    } else if (splitStart > 0) {
      // Also for an empty range: its position must still be a line start.
      await this.#skipToFirstLine(splitStart);
    } else {
      this.#bufferStart = splitStart;
    }
    this.#anchorOffset = this.#bufferStart + this.#scan;
    if (this.#anchorOffset === 0) this.#linesBeforeAnchor = 0;
    this.#maybeRead(false);
  }

  /**
   * Opens the subtask on an explicit byte range after a restore at another parallelism:
   * `from` is a line start (an old subtask's position) and the lines that start before `end`
   * are emitted. Dead-letter files are per subtask and are not re-split, so they are refused.
   */
  async openRange(ctx: SourceContext, from: number, end: number): Promise<void> {
    const { path, onMalformed } = this.#options;
    if (onMalformed === 'dead-letter') {
      throw new ConfigurationError(
        `file source subtask ${ctx.subtaskIndex} (${path}): onMalformed 'dead-letter' cannot be restored at another parallelism; ` +
          `restore at the parallelism of the checkpoint, or use onMalformed 'fail' or 'skip'`,
      );
    }
    this.#ctx = ctx;
    this.#splitEnd = end;
    try {
      this.#handle = await fsp.open(path, 'r');
    } catch (error) {
      throw new SluiceError('SLUICE_FILE_READ', `file source subtask ${ctx.subtaskIndex}: cannot open ${path}: ${String(error)}`, {
        cause: error,
      });
    }
    this.#bufferStart = from;
    this.#anchorOffset = from;
    if (from === 0) this.#linesBeforeAnchor = 0;
    this.#maybeRead(false);
  }

  /** Where this subtask stops: it emits the lines that start before this offset. */
  get splitEnd(): number {
    return this.#splitEnd;
  }

  /** Reads from `splitStart - 1` until the first newline: the line after it is the first one owned. */
  async #skipToFirstLine(splitStart: number): Promise<void> {
    this.#bufferStart = splitStart - 1;
    for (;;) {
      const newline = this.#view.indexOf(NEWLINE, this.#searchFrom);
      if (newline !== -1) {
        this.#scan = newline + 1;
        this.#searchFrom = this.#scan;
        return;
      }
      if (this.#eof) {
        this.#scan = this.#length;
        this.#searchFrom = this.#length;
        return;
      }
      this.#searchFrom = this.#length;
      await this.#read();
    }
  }

  poll(out: Collector<unknown>, budget: number): SourceStatus {
    if (this.#failure !== null) throw this.#failure;
    const buffer = this.#buffer;
    const lines = this.#options.format === 'lines';
    let emitted = 0;
    while (emitted < budget) {
      const lineOffset = this.#bufferStart + this.#scan;
      if (lineOffset >= this.#splitEnd) return 'end';
      const start = this.#scan;
      const newline = this.#view.indexOf(NEWLINE, this.#searchFrom);
      let end: number;
      let next: number;
      if (newline !== -1) {
        end = newline > start && buffer[newline - 1] === CARRIAGE_RETURN ? newline - 1 : newline;
        next = newline + 1;
      } else if (!this.#eof) {
        this.#searchFrom = this.#length;
        return this.#waitForData(true);
      } else if (start < this.#length) {
        end = this.#length;
        next = this.#length;
      } else {
        return 'end';
      }
      const textStart = lineOffset === 0 && hasByteOrderMark(buffer, start, end) ? start + 3 : start;
      if (lines) {
        out.collect(buffer.toString('utf8', textStart, end));
        emitted++;
      } else if (!isBlank(buffer, textStart, end)) {
        const text = buffer.toString('utf8', textStart, end);
        let record: unknown;
        let parsed = true;
        try {
          record = JSON.parse(text);
        } catch (error) {
          parsed = false;
          if (this.#linesBeforeAnchor === undefined) {
            // The message needs the line's number in the whole file: count the lines before
            // the anchor in the background, then handle this line again.
            this.#countLinesBeforeAnchor();
            this.#idle = true;
            return 'idle';
          }
          this.#malformed.accept(
            {
              file: this.#options.path,
              line: this.#linesBeforeAnchor + this.#linesSinceAnchor + 1,
              offset: lineOffset,
              text,
              error: error instanceof Error ? error.message : String(error),
            },
            error,
          );
        }
        if (parsed) {
          out.collect(record);
          emitted++;
        }
      }
      this.#scan = next;
      this.#searchFrom = next;
      this.#linesSinceAnchor++;
    }
    this.#maybeRead(false);
    return 'more';
  }

  position(): number {
    return this.#bufferStart + this.#scan;
  }

  /** A position is the byte offset of the next line to read. */
  describePosition(position: number): string {
    return `byte offset ${position} of ${this.#options.path} (the start of the next line to read)`;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const handle = this.#handle;
    this.#handle = null;
    try {
      // FileHandle.close waits for a read in flight.
      await handle?.close();
    } finally {
      await this.#malformed.close();
    }
  }

  /** Nothing complete to emit: make sure a read is coming, and say 'idle'. */
  #waitForData(needLine: boolean): SourceStatus {
    this.#maybeRead(needLine);
    if (this.#failure !== null) throw this.#failure;
    this.#idle = true;
    return 'idle';
  }

  /**
   * Starts a read unless one is in flight: when a line is incomplete (`needLine`), or to stay
   * a chunk ahead while the subtask's range is not read yet.
   */
  #maybeRead(needLine: boolean): void {
    if (this.#reading || this.#eof || this.#closed || this.#failure !== null) return;
    const readOffset = this.#bufferStart + this.#length;
    const ahead = this.#length - this.#scan;
    if (!needLine && !(readOffset < this.#splitEnd && ahead < this.#options.readChunkBytes)) return;
    this.#read().then(
      () => {
        this.#wake();
        this.#maybeRead(false);
      },
      (error: unknown) => {
        this.#failure = new SluiceError(
          'SLUICE_FILE_READ',
          `file source subtask ${this.#ctx?.subtaskIndex ?? '?'}: reading ${this.#options.path} failed: ${String(error)}`,
          { cause: error },
        );
        this.#wake();
      },
    );
  }

  /** Reads one chunk after `#length`, first making room by moving unread bytes to the front or growing the buffer. */
  async #read(): Promise<void> {
    const chunk = this.#options.readChunkBytes;
    if (this.#buffer.length - this.#length < chunk) {
      const unread = this.#length - this.#scan;
      if (this.#buffer.length - unread >= chunk) {
        this.#buffer.copyWithin(0, this.#scan, this.#length);
      } else {
        const grown = Buffer.allocUnsafe(Math.max(2 * this.#buffer.length, unread + chunk));
        this.#buffer.copy(grown, 0, this.#scan, this.#length);
        this.#buffer = grown;
      }
      this.#bufferStart += this.#scan;
      this.#searchFrom -= this.#scan;
      this.#length = unread;
      this.#scan = 0;
      this.#view = this.#buffer.subarray(0, this.#length);
    }
    const handle = this.#handle;
    if (handle === null) return;
    this.#reading = true;
    try {
      const { bytesRead } = await handle.read(this.#buffer, this.#length, chunk, this.#bufferStart + this.#length);
      if (this.#closed) return;
      if (bytesRead === 0) {
        this.#eof = true;
      } else {
        this.#length += bytesRead;
        this.#view = this.#buffer.subarray(0, this.#length);
      }
    } finally {
      this.#reading = false;
    }
  }

  /** Counts the newlines before the anchor (in the background), then wakes the subtask. */
  #countLinesBeforeAnchor(): void {
    if (this.#countingLines) return;
    this.#countingLines = true;
    const handle = this.#handle!;
    const anchor = this.#anchorOffset;
    void (async () => {
      const chunk = Buffer.allocUnsafe(Math.min(LINE_COUNT_CHUNK_BYTES, Math.max(anchor, 1)));
      let newlines = 0;
      let offset = 0;
      while (offset < anchor) {
        const { bytesRead } = await handle.read(chunk, 0, Math.min(chunk.length, anchor - offset), offset);
        if (bytesRead === 0) break;
        for (let at = chunk.indexOf(NEWLINE, 0); at !== -1 && at < bytesRead; at = chunk.indexOf(NEWLINE, at + 1)) newlines++;
        offset += bytesRead;
      }
      return newlines;
    })().then(
      (newlines) => {
        this.#linesBeforeAnchor = newlines;
        this.#wake();
      },
      (error: unknown) => {
        this.#failure ??= new SluiceError(
          'SLUICE_FILE_READ',
          `file source: counting the lines of ${this.#options.path} failed: ${String(error)}`,
          { cause: error },
        );
        this.#wake();
      },
    );
  }

  #wake(): void {
    if (this.#idle && !this.#closed) {
      this.#idle = false;
      this.#ctx!.wakeup();
    }
  }
}

/**
 * A file source position after a restore at another parallelism: the byte ranges
 * `[from, end)` left to read (from a line start; lines that start before `end`), in order.
 */
export interface FileSourceRangesPosition {
  readonly ranges: ReadonlyArray<readonly [from: number, end: number]>;
}

/** A file source subtask's position: a byte offset in its split, or its ranges after a rescale. */
export type FileSourcePosition = number | FileSourceRangesPosition;

function isRangesPosition(position: unknown): position is FileSourceRangesPosition {
  return hasIntegerPairs(position, 'ranges');
}

/**
 * The file source as the runtime sees it: one {@link FileSourceSubtask} over the subtask's
 * split, or, after a restore at another parallelism, one per byte range taken over, read one
 * after the other.
 */
class FileSource implements SourceFunction<unknown, FileSourcePosition> {
  readonly #options: ResolvedFileSourceOptions;
  /** The readers left, the current one first. */
  #readers: FileSourceSubtask[] = [];
  /** Whether the position is a list of ranges (after a rescale). */
  #ranges = false;

  constructor(options: ResolvedFileSourceOptions) {
    this.#options = options;
  }

  /** Hands each old subtask's unread range to one new subtask, round robin over all ranges. */
  rescalePosition(ctx: SourceContext, previous: readonly FileSourcePosition[]): FileSourcePosition {
    const { sizeBytes, path } = this.#options;
    const ranges: Array<readonly [number, number]> = [];
    previous.forEach((position, old) => {
      if (position === undefined) return; // that subtask had finished: nothing of it is left
      if (typeof position === 'number' && Number.isSafeInteger(position) && position >= 0) {
        ranges.push([position, Math.floor(((old + 1) * sizeBytes) / previous.length)]);
      } else if (isRangesPosition(position)) {
        ranges.push(...position.ranges);
      } else {
        throw new ConfigurationError(
          `file source subtask ${ctx.subtaskIndex} (${path}): cannot rescale from the position of old subtask ${old}, ${describeValue(position)}`,
        );
      }
    });
    const live = ranges.filter(([from, end]) => from < end);
    return { ranges: live.filter((_, index) => index % ctx.parallelism === ctx.subtaskIndex) };
  }

  async open(ctx: SourceContext, restoredPosition: FileSourcePosition | undefined): Promise<void> {
    if (!isRangesPosition(restoredPosition)) {
      const reader = new FileSourceSubtask(this.#options);
      this.#readers = [reader];
      await reader.open(ctx, restoredPosition);
      return;
    }
    this.#ranges = true;
    for (const [from, end] of restoredPosition.ranges) {
      const reader = new FileSourceSubtask(this.#options);
      this.#readers.push(reader);
      await reader.openRange(ctx, from, end);
    }
  }

  poll(out: Collector<unknown>, budget: number): SourceStatus {
    for (;;) {
      const reader = this.#readers[0];
      if (!reader) return 'end';
      const status = reader.poll(out, budget);
      if (status !== 'end' || this.#readers.length === 1) return status;
      this.#readers.shift();
      // A read-only handle: a failure to close it loses nothing.
      reader.close().catch(() => {});
    }
  }

  position(): FileSourcePosition {
    if (!this.#ranges) return this.#readers[0]!.position();
    return { ranges: this.#readers.map((reader) => [reader.position(), reader.splitEnd] as const) };
  }

  /** A byte offset, the start of the next line to read; after a rescale, the byte ranges left. */
  describePosition(position: FileSourcePosition): string {
    if (typeof position === 'number') return `byte offset ${position} of ${this.#options.path} (the start of the next line to read)`;
    const ranges = position.ranges.map(([from, end]) => `${from}-${end}`).join(', ');
    return `byte ranges ${ranges} of ${this.#options.path} left to read (each from the start of its next line)`;
  }

  async close(): Promise<void> {
    const readers = this.#readers;
    this.#readers = [];
    let first: unknown;
    for (const reader of readers) {
      try {
        await reader.close();
      } catch (error) {
        first ??= error;
      }
    }
    if (first !== undefined) throw first;
  }
}

/** The file source's definition; the runtime instantiates it in each subtask's worker. */
export const fileSourceDefinition = defineSource(
  import.meta,
  (options: unknown): SourceFunction<unknown> => new FileSource(fileSourceOptionsInWorker(options)),
);

/**
 * A bounded source reading a text file, split by byte ranges across its subtasks; every line
 * is read exactly once. Records are strings (`'lines'`) or parsed JSON values (`'ndjson'`).
 *
 * ```ts
 * pipeline.source(fileSource({ path: 'events.ndjson', format: 'ndjson', onMalformed: 'dead-letter', deadLetterPath: 'bad.ndjson' }));
 * ```
 *
 * @throws ConfigurationError if the file does not exist or is not a file, or an option is invalid.
 */
export function fileSource(options: FileSourceOptions & { readonly format: 'lines' }): SourceSpec<string>;
/** NDJSON: say what each line holds, `fileSource<Event>({ ... })`; without it the stream is untyped (`unknown`). */
export function fileSource<T = unknown>(options: FileSourceOptions & { readonly format: 'ndjson' }): SourceSpec<T>;
export function fileSource(options: FileSourceOptions): SourceSpec<unknown>;
export function fileSource(options: FileSourceOptions): SourceSpec<unknown> {
  return {
    fn: fileSourceDefinition,
    options: resolveFileSourceOptions(options),
    name: 'file-source',
    shape: OBJECT_RECORDS,
  };
}
