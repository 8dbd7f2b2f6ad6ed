/**
 * A sink whose records come back to the main thread while the job runs: `job.results()` iterates
 * them. Each subtask writes record batches into a shared ring read by the main thread (no
 * postMessage per record); a consumer that falls behind fills the ring, and the subtask then
 * stops taking records without blocking its thread (backpressure).
 *
 * With checkpoints, the subtask's snapshot of checkpoint n is a marker after its records, and its
 * pre-commit is done once the marker is in the ring (owned by the main thread, so a dying worker
 * loses nothing before it); the main thread hands records on once the checkpoint after them
 * completed. So a restart from a checkpoint delivers each record once.
 */
import { defineSink } from '../api/functions.js';
import type { SinkContext, SinkFunction } from '../api/functions.js';
import { MAIN_THREAD_ENDPOINT } from '../api/main-thread-endpoint.js';
import type { EndpointAttachment, EndpointRun, MainThreadEndpoint } from '../api/main-thread-endpoint.js';
import type { SinkSpec } from '../api/specs.js';
import { ConfigurationError } from '../errors/sluice-error.js';
import type { MainThreadChannelBuffers } from '../runtime/main-thread-channel.js';
import { DoorbellWaiter, MainThreadChannelWriter, allocateMainThreadChannel } from '../runtime/main-thread-channel.js';
import { integerOption, optionsObject } from './option-checks.js';
import { ResultsReceiver } from './results-receiver.js';

/** Options of {@link resultsSink}. */
export interface ResultsSinkOptions {
  /** Bytes of each subtask's ring to the main thread, a power of two of at least 4096. Default 262144 (256 KiB). */
  readonly channelBytes?: number;
  /**
   * Final records the main thread holds for a consumer that is behind before it stops reading the
   * rings (which then backpressures the job). Default 4096.
   */
  readonly highWaterMark?: number;
}

/** What the worker side of a results sink is started with: one channel per subtask. */
export interface ResultsSinkWorkerOptions {
  readonly channels: readonly MainThreadChannelBuffers[];
}

/** What a results sink subtask's `finish()` returns: the records it wrote in the final attempt. */
export interface ResultsSinkResult {
  readonly records: number;
}

const CONNECTOR = 'resultsSink';

/** The defaults of {@link ResultsSinkOptions}. */
export const RESULTS_SINK_DEFAULTS = Object.freeze({ channelBytes: 256 * 1024, highWaterMark: 4096 });

/** Checks a ring size option of a main-thread connector. */
export function channelBytesOption(connector: string, value: unknown, fallback: number): number {
  const bytes = value ?? fallback;
  if (typeof bytes !== 'number' || !Number.isInteger(bytes) || bytes < 4096 || (bytes & (bytes - 1)) !== 0) {
    throw new ConfigurationError(`${connector}: options.channelBytes must be a power of two of at least 4096, got ${String(value)}`);
  }
  return bytes;
}

/** One subtask of a results sink: writes records (and checkpoint markers) into its channel to the main thread. */
class ResultsSinkSubtask implements SinkFunction<unknown, ResultsSinkResult> {
  readonly #options: ResultsSinkWorkerOptions;
  #writer: MainThreadChannelWriter | undefined;
  #waiter: DoorbellWaiter | undefined;
  #wakeup: () => void = () => {};
  #records = 0;

  constructor(options: ResultsSinkWorkerOptions) {
    this.#options = options;
  }

  open(ctx: SinkContext): void {
    const channel = this.#options.channels[ctx.subtaskIndex];
    if (!channel || this.#options.channels.length !== ctx.parallelism) {
      throw new ConfigurationError(
        `results sink '${ctx.operatorName}': the run prepared ${this.#options.channels.length} channels for ${ctx.parallelism} subtasks`,
      );
    }
    this.#writer = new MainThreadChannelWriter(channel.ring, channel.mainBell);
    this.#waiter = new DoorbellWaiter(channel.workerBell);
    this.#wakeup = () => ctx.wakeup();
  }

  write(record: unknown, ingestNanos: number): void {
    this.#writer!.add(record, ingestNanos);
    this.#records++;
  }

  backpressured(): boolean {
    const writer = this.#writer!;
    if (!writer.backpressured) return false;
    return !this.#pass();
  }

  flush(): void {
    this.#pass();
  }

  /** Pre-commit: the marker of this checkpoint, after every record so far, is in the ring. */
  async snapshotState(checkpointId: number): Promise<undefined> {
    const published = this.#writer!.mark(checkpointId);
    this.#pass();
    await published;
    return undefined;
  }

  async finish(): Promise<ResultsSinkResult> {
    const writer = this.#writer!;
    const waiter = this.#waiter!;
    const ended = writer.end();
    // The subtask no longer steps: move what is held here until the end frame is in the ring.
    for (;;) {
      const sampled = waiter.sample();
      if (writer.flush()) break;
      await waiter.wait(sampled);
    }
    await ended;
    return { records: this.#records };
  }

  close(): void {
    this.#waiter?.close();
  }

  /** Writes what is batched and held where there is room; when some is left, asks to be stepped once the main thread made room. True when nothing is held. */
  #pass(): boolean {
    const waiter = this.#waiter!;
    const sampled = waiter.sample();
    if (this.#writer!.flush()) return true;
    waiter.wakeWhenRung(sampled, this.#wakeup);
    return false;
  }
}

/** The worker-side definition of results sinks; use {@link resultsSink} in pipelines. */
export const resultsSinkDefinition = defineSink(import.meta, (options: ResultsSinkWorkerOptions) => new ResultsSinkSubtask(options));

/** The main-thread part of a results sink: per run, a channel per subtask and the receiver. */
class ResultsEndpoint implements MainThreadEndpoint {
  readonly [MAIN_THREAD_ENDPOINT] = true as const;
  readonly providesResults = true;
  readonly #channelBytes: number;
  readonly #highWaterMark: number;

  constructor(channelBytes: number, highWaterMark: number) {
    this.#channelBytes = channelBytes;
    this.#highWaterMark = highWaterMark;
  }

  attach(run: EndpointRun): EndpointAttachment {
    const receiver = this.receiver(run);
    return {
      options: receiver.options,
      onEvent: (event) => receiver.receiver.onEvent(event),
      onEnd: (outcome) => receiver.receiver.onEnd(outcome),
      results: receiver.receiver.iterable(),
    };
  }

  /** A receiver and the worker options that feed it, for one run (writableSink builds on it). */
  receiver(run: EndpointRun): { readonly receiver: ResultsReceiver; readonly options: ResultsSinkWorkerOptions } {
    const first = allocateMainThreadChannel(this.#channelBytes);
    // One main doorbell for all subtasks: the main thread checks every ring, then parks once.
    const channels = Array.from({ length: run.parallelism }, (_, index) =>
      index === 0 ? first : { ...allocateMainThreadChannel(this.#channelBytes), mainBell: first.mainBell },
    );
    return { receiver: new ResultsReceiver(channels, run, this.#highWaterMark), options: { channels } };
  }
}

/** Builds the main-thread part shared by results sinks and writable sinks. */
export function resultsEndpoint(connector: string, options: ResultsSinkOptions): ResultsEndpoint {
  const channelBytes = channelBytesOption(connector, options.channelBytes, RESULTS_SINK_DEFAULTS.channelBytes);
  const highWaterMark = integerOption(connector, 'highWaterMark', options.highWaterMark, { min: 1, fallback: RESULTS_SINK_DEFAULTS.highWaterMark });
  return new ResultsEndpoint(channelBytes, highWaterMark);
}

/**
 * A sink whose records the main thread iterates while the job runs. Start the job with
 * `pipeline.start()` and iterate `job.results()`: a job whose results nobody takes stops once
 * the buffers are full.
 *
 * ```ts
 * stream.sink(resultsSink<Row>());
 * const job = pipeline.start({ checkpoints: { mode: 'aligned', dir: 'ckpt' } });
 * for await (const row of job.results()) console.log(row);
 * ```
 *
 * Delivery: without checkpoints, records arrive as the sink receives them (a restart from
 * scratch would deliver them again). With checkpoints, a record arrives once the checkpoint
 * after it completed, and a restart from that checkpoint does not deliver it again (exactly once
 * within the process; at-least-once in `at-least-once` mode). Records committed but not yet
 * taken when the process dies are lost to it.
 */
export function resultsSink<T = unknown>(options: ResultsSinkOptions = {}): SinkSpec<T> {
  const given = optionsObject(CONNECTOR, options) as ResultsSinkOptions;
  return { fn: resultsSinkDefinition, options: resultsEndpoint(CONNECTOR, given), name: 'results' };
}
