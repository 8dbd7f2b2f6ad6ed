/**
 * A source reading an async iterable, an iterable or a Readable of the main thread (standard
 * input too). The main thread pulls the iterable and writes record batches into a shared ring;
 * the worker-side source emits them. Parallelism 1: there is one iterable.
 *
 * Checkpoints: the source's position is the number of records it emitted. The main thread keeps
 * the records after the latest completed checkpoint's position, so a restart of the job in this
 * process replays them exactly once. A checkpoint taken by another process cannot be resumed: the
 * records before the crash went with that process. Such a restore is refused (the job fails with
 * SLUICE_SOURCE_NOT_REPLAYABLE) unless `resume: 'skip'` says the iterable yields the same records
 * again, so the first ones can be skipped.
 */
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { DoorbellRinger } from '../../native-free-buffers/index.js';
import type { Collector } from '../api/context.js';
import { defineSource } from '../api/functions.js';
import type { SourceContext, SourceFunction, SourceStatus } from '../api/functions.js';
import { MAIN_THREAD_ENDPOINT } from '../api/main-thread-endpoint.js';
import type { EndpointAttachment, EndpointRun, MainThreadEndpoint } from '../api/main-thread-endpoint.js';
import type { SourceSpec } from '../api/specs.js';
import { OBJECT_RECORDS } from '../api/specs.js';
import { ConfigurationError, JobFailedError, MalformedInputError, SluiceError } from '../errors/sluice-error.js';
import type { JobEvent } from '../runtime/job-result.js';
import type { MainThreadChannelBuffers } from '../runtime/main-thread-channel.js';
import { ChannelFrame, DoorbellWaiter, MainThreadChannelReader, MainThreadChannelWriter, allocateMainThreadChannel } from '../runtime/main-thread-channel.js';
import type { RecordHandler } from '../runtime/record-batch.js';
import { describeValue, optionsObject } from './option-checks.js';
import { channelBytesOption } from './results-sink.js';
import { ACCEPTED, Handover, REFUSED, allocateHandover } from './source-handover.js';

/** How the records of a byte stream are read. */
export type ByteStreamFormat = 'lines' | 'ndjson';

/** Options of {@link iterableSource} and {@link stdinSource}. */
export interface IterableSourceOptions {
  /**
   * For a byte stream (a Readable not in object mode, standard input): `'lines'` (default), one
   * string record per line without its line break; `'ndjson'`, one JSON value per line. Not for
   * iterables and object-mode streams, whose values are the records.
   */
  readonly format?: ByteStreamFormat;
  /**
   * When the job restores a checkpoint taken by another process (`restore`), the iterable is a new
   * one, read from its first record. `'refuse'` (default): fail the job with
   * SLUICE_SOURCE_NOT_REPLAYABLE. `'skip'`: the iterable yields the same records again; skip as
   * many as the checkpoint had read.
   */
  readonly resume?: 'refuse' | 'skip';
  /** Bytes of the ring to the source's subtask, a power of two of at least 4096. Default 262144 (256 KiB). */
  readonly channelBytes?: number;
}

/** What the worker side of an iterable source is started with. */
export interface IterableSourceWorkerOptions {
  readonly channel: MainThreadChannelBuffers;
  readonly handover: SharedArrayBuffer;
}

const CONNECTOR = 'iterableSource';
/** Records the main thread pulls ahead of what it has written into the ring. */
const PULL_AHEAD = 256;
const DEFAULT_CHANNEL_BYTES = 256 * 1024;

/** The input, checked: something to iterate and how its values become records. */
interface CheckedInput {
  /** Creates the iterator (once). */
  readonly open: () => AsyncIterator<unknown> | Iterator<unknown>;
  /** Parses a value into a record (NDJSON); identity otherwise. */
  readonly parse: ((line: unknown, index: number) => unknown) | undefined;
  readonly readable: Readable | undefined;
}

function checkInput(connector: string, input: unknown, format: ByteStreamFormat | undefined): CheckedInput {
  if (input instanceof Readable || isReadableLike(input)) {
    const readable = input as Readable;
    if (readable.destroyed || readable.readableEnded) {
      throw new ConfigurationError(`${connector}: the Readable has already ${readable.readableEnded ? 'ended' : 'been destroyed'}; pass a stream that has not been read`);
    }
    if (readable.readableObjectMode) {
      if (format !== undefined) {
        throw new ConfigurationError(`${connector}: options.format applies to byte streams; this Readable is in object mode, and its objects are the records`);
      }
      return { open: () => readable[Symbol.asyncIterator](), parse: undefined, readable };
    }
    const lines = () => createInterface({ input: readable, crlfDelay: Infinity })[Symbol.asyncIterator]();
    return { open: lines, parse: format === 'ndjson' ? parseJsonLine(connector) : undefined, readable };
  }
  if (format !== undefined) {
    throw new ConfigurationError(`${connector}: options.format applies to byte streams (a Readable, standard input); the values of an iterable are the records`);
  }
  if (typeof input === 'string') {
    throw new ConfigurationError(`${connector} needs an iterable of records, got a string (which iterates its characters): wrap it in an array, or split it into lines`);
  }
  if (input !== null && typeof input === 'object' && typeof (input as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function') {
    return { open: () => (input as AsyncIterable<unknown>)[Symbol.asyncIterator](), parse: undefined, readable: undefined };
  }
  if (input !== null && typeof input === 'object' && typeof (input as Iterable<unknown>)[Symbol.iterator] === 'function') {
    return { open: () => (input as Iterable<unknown>)[Symbol.iterator](), parse: undefined, readable: undefined };
  }
  throw new ConfigurationError(`${connector} needs an async iterable, an iterable or a Readable, got ${describeValue(input)}`);
}

/** A Readable from another copy of node:stream (it has the methods, not the prototype). */
function isReadableLike(value: unknown): boolean {
  const candidate = value as Partial<Readable> | null;
  return typeof candidate === 'object' && candidate !== null && typeof candidate.pipe === 'function' && typeof candidate.read === 'function' && typeof candidate.on === 'function';
}

function parseJsonLine(connector: string): (line: unknown, index: number) => unknown {
  return (line, index) => {
    try {
      return JSON.parse(line as string);
    } catch (cause) {
      throw new MalformedInputError(`${connector}: line ${index + 1} is not JSON: ${describeValue(line)}`, { cause });
    }
  };
}

/**
 * The main-thread part of one run: pulls the iterable, keeps the records a restart may need, and
 * writes them into the ring for each attempt from where the attempt starts.
 */
class IterableFeeder {
  readonly #run: EndpointRun;
  readonly #input: CheckedInput;
  readonly #resume: 'refuse' | 'skip';
  readonly #writer: MainThreadChannelWriter;
  readonly #waiter: DoorbellWaiter;
  readonly #wakeWorker: DoorbellRinger;
  readonly #handover: Handover;
  #iterator: AsyncIterator<unknown> | Iterator<unknown> | undefined;
  /** Records pulled and kept, from record number {@link #base} on. */
  #buffer: unknown[] = [];
  #base = 0;
  /** Records pulled so far (their numbers are below this), counting skipped ones. */
  #pulled = 0;
  /** The next record to write for the running attempt. */
  #sent = 0;
  /** Records to skip at the start of the iterable (`resume: 'skip'`). */
  #skip = 0;
  #attempts = 0;
  #inputDone = false;
  #endWritten = false;
  #stopped = false;
  #resumePuller: (() => void) | undefined;

  constructor(run: EndpointRun, input: CheckedInput, resume: 'refuse' | 'skip', channel: MainThreadChannelBuffers, handover: SharedArrayBuffer) {
    this.#run = run;
    this.#input = input;
    this.#resume = resume;
    this.#writer = new MainThreadChannelWriter(channel.ring, channel.workerBell);
    this.#waiter = new DoorbellWaiter(channel.mainBell);
    this.#wakeWorker = new DoorbellRinger(channel.workerBell);
    this.#handover = new Handover(handover);
    // A subtask waiting in open() for its answer does not see the job's cancel: refuse it, so it
    // fails at once instead of holding its thread until the job gives up on it.
    run.signal.addEventListener('abort', () => this.#waiter.ring(), { once: true });
    void this.#feed();
  }

  /** A completed checkpoint: records before its position are no longer needed. */
  onEvent(event: JobEvent): void {
    if (event.type !== 'checkpoint' || event.statistics.status !== 'completed' || event.statistics.kind !== 'checkpoint') return;
    const position = this.#handover.snapshotPosition(event.statistics.id);
    if (position !== undefined) this.#trim(Math.min(position, this.#sent));
  }

  /** The job ended: stop, and close the iterable if it was not read to its end. */
  stop(): void {
    if (this.#stopped) return;
    const request = this.#handover.pendingRequest();
    if (request) {
      this.#handover.answer(request.seq, REFUSED);
      this.#wakeWorker.ring();
    }
    this.#stopped = true;
    this.#waiter.close();
    this.#resumePuller?.();
    this.#buffer = [];
    if (this.#iterator && !this.#inputDone) {
      try {
        void Promise.resolve(this.#iterator.return?.()).catch(() => {});
      } catch {
        // Closing is best effort: the job is over.
      }
    }
  }

  /** Writes records for the running attempt as the ring makes room; answers each attempt's start request. */
  async #feed(): Promise<void> {
    const writer = this.#writer;
    while (!this.#stopped) {
      const sampled = this.#waiter.sample();
      const request = this.#handover.pendingRequest();
      if (request && this.#run.signal.aborted) {
        this.#handover.answer(request.seq, REFUSED);
        this.#wakeWorker.ring();
      } else if (request) {
        this.#start(request.seq, request.position);
      }
      if (this.#attempts > 0 && !this.#stopped) {
        while (this.#sent < this.#pulled && !writer.backpressured) {
          writer.add(this.#buffer[this.#sent - this.#base], 0);
          this.#sent++;
        }
        // Without checkpoints nothing is replayed: a record written is let go.
        if (!this.#run.checkpointing) this.#trim(this.#sent);
        if (this.#inputDone && this.#sent === this.#pulled && !this.#endWritten) {
          this.#endWritten = true;
          void writer.end();
        }
        writer.flush();
        if (this.#pulled - this.#sent < PULL_AHEAD) this.#resumePuller?.();
      }
      await this.#waiter.wait(sampled);
    }
  }

  /** Answers start request `seq` of an attempt that starts at record `position`. */
  #start(seq: number, position: number): void {
    const refuse = (message: string) => {
      this.#handover.answer(seq, REFUSED);
      this.#wakeWorker.ring();
      this.#run.fail(new SluiceError('SLUICE_SOURCE_NOT_REPLAYABLE', message));
    };
    const where = `iterableSource '${this.#run.operator}'`;
    if (this.#attempts === 0 && position > 0) {
      if (this.#resume === 'refuse') {
        refuse(
          `${where}: the job restores a checkpoint taken by another run, which had read ${position} records of its iterable; ` +
            'this run has a new iterable, and the records read before that run ended cannot be read again. ' +
            "Pass { resume: 'skip' } if the iterable yields the same records again (the first ones are skipped), or start without restore",
        );
        return;
      }
      this.#skip = position;
      this.#base = this.#sent = position;
    } else if (this.#attempts > 0 && (position < this.#base || position > this.#pulled)) {
      refuse(
        this.#run.checkpointing
          ? `${where}: a restart starts at record ${position}, but only records from ${this.#base} on are kept (those of the latest completed checkpoint); the restore went back to an older checkpoint`
          : `${where}: the job restarted without checkpoints, from its first record, and an iterable of the main thread cannot be read again: enable checkpoints, or do not restart (restart: { type: 'none' })`,
      );
      return;
    } else {
      this.#sent = position;
    }
    // Whatever an earlier attempt left in the ring is skipped by the new one, up to this marker.
    this.#writer.discard();
    void this.#writer.mark(seq);
    this.#endWritten = false;
    this.#handover.answer(seq, ACCEPTED);
    this.#wakeWorker.ring();
    if (this.#attempts++ === 0) void this.#pull();
  }

  /** Pulls the iterable, at most {@link PULL_AHEAD} records ahead of the ring. */
  async #pull(): Promise<void> {
    const parse = this.#input.parse;
    let lineIndex = 0;
    try {
      const iterator = (this.#iterator = this.#input.open());
      while (!this.#stopped) {
        if (this.#pulled - this.#sent >= PULL_AHEAD) {
          await new Promise<void>((resolve) => (this.#resumePuller = resolve));
          this.#resumePuller = undefined;
          continue;
        }
        const result = await iterator.next();
        if (this.#stopped) return;
        if (result.done) {
          this.#inputDone = true;
          this.#waiter.ring();
          return;
        }
        const record = parse ? parse(result.value, lineIndex) : result.value;
        lineIndex++;
        if (this.#pulled++ < this.#skip) continue;
        this.#buffer.push(record);
        this.#waiter.ring();
      }
    } catch (error) {
      if (this.#stopped) return;
      this.#run.fail(
        new JobFailedError(
          { operator: this.#run.operator, subtask: 0, parallelism: 1, position: `record ${this.#pulled} of the iterable` },
          `iterableSource '${this.#run.operator}': ${error instanceof MalformedInputError ? error.message : `the iterable threw: ${error instanceof Error ? error.message : String(error)}`}`,
          { cause: error },
        ),
      );
    }
    if (this.#inputDone && this.#skip > this.#pulled) {
      this.#run.fail(
        new SluiceError(
          'SLUICE_SOURCE_NOT_REPLAYABLE',
          `iterableSource '${this.#run.operator}': resume: 'skip' was to skip the ${this.#skip} records the restored checkpoint had read, but the iterable ended after ${this.#pulled}`,
        ),
      );
    }
  }

  #trim(upTo: number): void {
    if (upTo <= this.#base) return;
    this.#buffer.splice(0, upTo - this.#base);
    this.#base = upTo;
  }
}

/** The worker side: emits the records the main thread writes into the ring. */
class MainThreadIterableSource implements SourceFunction<unknown, number> {
  readonly #options: IterableSourceWorkerOptions;
  readonly #handover: Handover;
  #reader: MainThreadChannelReader | undefined;
  #waiter: DoorbellWaiter | undefined;
  #wakeup: () => void = () => {};
  #emitted = 0;
  #out: Collector<unknown> | undefined;
  #emit: RecordHandler = () => {};

  constructor(options: IterableSourceWorkerOptions) {
    this.#options = options;
    this.#handover = new Handover(options.handover);
  }

  async open(ctx: SourceContext, restoredPosition: number | undefined): Promise<void> {
    if (ctx.parallelism !== 1) {
      throw new ConfigurationError(`iterableSource '${ctx.operatorName}' reads one iterable of the main thread: its parallelism must be 1, got ${ctx.parallelism}; use rebalance() after it`);
    }
    const { channel } = this.#options;
    this.#reader = new MainThreadChannelReader(channel.ring, channel.mainBell);
    const waiter = (this.#waiter = new DoorbellWaiter(channel.workerBell));
    this.#wakeup = () => ctx.wakeup();
    this.#emitted = restoredPosition ?? 0;
    const seq = this.#handover.request(this.#emitted);
    new DoorbellRinger(channel.mainBell).ring();
    const reader = this.#reader;
    for (;;) {
      const sampled = waiter.sample();
      const answer = this.#handover.answerTo(seq);
      if (answer === REFUSED) {
        throw new SluiceError('SLUICE_SOURCE_NOT_REPLAYABLE', `iterableSource '${ctx.operatorName}': the main thread did not let it start at record ${this.#emitted} (the job's error says why)`);
      }
      if (answer === ACCEPTED) {
        // Frames an earlier attempt left come first: drop them, up to this attempt's marker.
        for (let frame = reader.next(); frame !== ChannelFrame.None; frame = reader.next()) {
          if (frame === ChannelFrame.Marker && reader.markerId === seq) {
            reader.cursor.clear();
            reader.release();
            return;
          }
        }
        reader.release();
      }
      await waiter.wait(sampled);
    }
  }

  poll(out: Collector<unknown>, budget: number): SourceStatus {
    if (out !== this.#out) {
      this.#out = out;
      this.#emit = (record) => {
        this.#emitted++;
        out.collect(record);
      };
    }
    const reader = this.#reader!;
    const waiter = this.#waiter!;
    // Sampled before looking: a record written after the look rings past this sample.
    const sampled = waiter.sample();
    let emitted = 0;
    for (;;) {
      if (reader.cursor.active) {
        emitted += reader.cursor.step(this.#emit, budget - emitted);
        if (emitted >= budget) {
          reader.release();
          return 'more';
        }
        continue;
      }
      const frame = reader.next();
      if (frame === ChannelFrame.Records) continue;
      reader.release();
      if (frame === ChannelFrame.End) return 'end';
      if (frame === ChannelFrame.None) {
        waiter.wakeWhenRung(sampled, this.#wakeup);
        return emitted > 0 ? 'more' : 'idle';
      }
      // A marker: this attempt's start, already passed in open().
    }
  }

  position(checkpointId?: number): number {
    if (checkpointId !== undefined) this.#handover.logSnapshot(checkpointId, this.#emitted);
    return this.#emitted;
  }

  describePosition(position: number): string {
    return `record ${position} of the iterable`;
  }

  close(): void {
    this.#waiter?.close();
  }
}

/** The worker-side definition of iterable sources; use {@link iterableSource} in pipelines. */
export const iterableSourceDefinition = defineSource(import.meta, (options: IterableSourceWorkerOptions) => new MainThreadIterableSource(options));

/** The main-thread part of an iterable source: read by one run only. */
class IterableEndpoint implements MainThreadEndpoint {
  readonly [MAIN_THREAD_ENDPOINT] = true as const;
  readonly #connector: string;
  readonly #input: CheckedInput;
  readonly #resume: 'refuse' | 'skip';
  readonly #channelBytes: number;
  #attached = false;

  constructor(connector: string, input: CheckedInput, resume: 'refuse' | 'skip', channelBytes: number) {
    this.#connector = connector;
    this.#input = input;
    this.#resume = resume;
    this.#channelBytes = channelBytes;
  }

  attach(run: EndpointRun): EndpointAttachment {
    if (run.parallelism !== 1) {
      throw new ConfigurationError(`${this.#connector} '${run.operator}' reads one iterable of the main thread: its parallelism must be 1, got ${run.parallelism}; records spread to the next operator's subtasks`);
    }
    if (this.#attached) {
      throw new ConfigurationError(`${this.#connector} '${run.operator}': its iterable was read by an earlier run of this pipeline; an iterable is read once, so build the pipeline again with a new one`);
    }
    this.#attached = true;
    const channel = allocateMainThreadChannel(this.#channelBytes);
    const handover = allocateHandover();
    const feeder = new IterableFeeder(run, this.#input, this.#resume, channel, handover);
    const options: IterableSourceWorkerOptions = { channel, handover };
    return { options, onEvent: (event) => feeder.onEvent(event), onEnd: () => feeder.stop() };
  }
}

function buildSpec<T>(connector: string, name: string, input: unknown, options: IterableSourceOptions): SourceSpec<T> {
  const given = optionsObject(connector, options) as IterableSourceOptions;
  const format = given.format;
  if (format !== undefined && format !== 'lines' && format !== 'ndjson') {
    throw new ConfigurationError(`${connector}: options.format must be 'lines' or 'ndjson', got ${describeValue(format)}`);
  }
  const resume = given.resume ?? 'refuse';
  if (resume !== 'refuse' && resume !== 'skip') {
    throw new ConfigurationError(`${connector}: options.resume must be 'refuse' or 'skip', got ${describeValue(resume)}`);
  }
  const channelBytes = channelBytesOption(connector, given.channelBytes, DEFAULT_CHANNEL_BYTES);
  const endpoint = new IterableEndpoint(connector, checkInput(connector, input, format), resume, channelBytes);
  return { fn: iterableSourceDefinition, options: endpoint, name, shape: OBJECT_RECORDS, parallelism: 1 };
}

/**
 * A source reading an async iterable, an iterable or a Readable of the main thread: an async
 * generator, an array, `fs.createReadStream(path)` (lines), an object-mode stream (its objects).
 * It runs at parallelism 1; the next operator's subtasks share its records.
 *
 * ```ts
 * async function* events() { for await (const message of queue) yield JSON.parse(message); }
 * pipeline.source(iterableSource<Event>(events())).map(enrich).sink(resultsSink());
 * ```
 *
 * Delivery: with checkpoints, a restart of the job in this process resumes exactly where the
 * checkpoint was (the main thread keeps the records read since the latest completed checkpoint):
 * exactly once. A restore of a checkpoint taken by another process is refused unless
 * `resume: 'skip'` (the iterable yields the same records again). Without checkpoints a restart
 * cannot start over and fails. The iterable is read once: a pipeline with it runs once.
 */
export function iterableSource<T = unknown>(input: AsyncIterable<T> | Iterable<T> | Readable, options: IterableSourceOptions = {}): SourceSpec<T> {
  return buildSpec<T>(CONNECTOR, 'iterable', input, options);
}

/**
 * A source reading the process's standard input: one string record per line (`format: 'lines'`,
 * the default), or one JSON value per line (`format: 'ndjson'`). Delivery as for
 * {@link iterableSource}: exactly once across restarts within the process; a restore in another
 * process needs `resume: 'skip'` and the same input again.
 *
 * ```sh
 * cat events.ndjson | node dist/job.js
 * ```
 */
export function stdinSource<T = string>(options: IterableSourceOptions = {}): SourceSpec<T> {
  return buildSpec<T>('stdinSource', 'stdin', process.stdin, options);
}
