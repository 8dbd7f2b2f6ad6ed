/**
 * A sink into a Node Writable of the main thread (`process.stdout`, `fs.createWriteStream(path)`,
 * a socket): built on the results sink's channel, so records reach the main thread in batches and
 * are written there with the Writable's own backpressure (`write()` returning false waits for
 * 'drain', and a slow Writable backpressures the job).
 */
import { once } from 'node:events';
import { Writable } from 'node:stream';
import { MAIN_THREAD_ENDPOINT } from '../api/main-thread-endpoint.js';
import type { EndpointAttachment, EndpointRun, MainThreadEndpoint } from '../api/main-thread-endpoint.js';
import type { SinkSpec } from '../api/specs.js';
import { ConfigurationError, SluiceError } from '../errors/sluice-error.js';
import { describeValue, optionsObject } from './option-checks.js';
import type { ResultsReceiver } from './results-receiver.js';
import type { ResultsSinkOptions } from './results-sink.js';
import { resultsEndpoint, resultsSinkDefinition } from './results-sink.js';

/** Options of {@link writableSink}. */
export interface WritableSinkOptions extends ResultsSinkOptions {
  /**
   * For a byte or string Writable: `'lines'` (default) writes `String(record)` and a line break per
   * record; `'ndjson'` writes `JSON.stringify(record)` and a line break. Not for object-mode
   * Writables, which receive the records themselves.
   */
  readonly format?: 'lines' | 'ndjson';
  /**
   * End the Writable once the job finished and every record was written. Default true, except for
   * `process.stdout` and `process.stderr`, which are never ended. A job that fails or is cancelled
   * leaves the Writable open, whatever this says.
   */
  readonly end?: boolean;
}

const CONNECTOR = 'writableSink';

function isWritableLike(value: unknown): value is Writable {
  if (value instanceof Writable) return true;
  const candidate = value as Partial<Writable> | null;
  return typeof candidate === 'object' && candidate !== null && typeof candidate.write === 'function' && typeof candidate.end === 'function' && typeof candidate.on === 'function';
}

/** Waits until `writable` can take more: 'drain', or rejects when it errors or closes first. */
async function drained(writable: Writable): Promise<void> {
  const controller = new AbortController();
  try {
    await Promise.race([
      once(writable, 'drain', { signal: controller.signal }),
      once(writable, 'close', { signal: controller.signal }).then(() => {
        throw new Error('the Writable closed before it drained');
      }),
    ]);
  } finally {
    controller.abort();
  }
}

/** Writes the final records of one run into the Writable. */
class WritableDelivery {
  readonly #writable: Writable;
  readonly #receiver: ResultsReceiver;
  readonly #run: EndpointRun;
  readonly #format: 'lines' | 'ndjson' | 'objects';
  readonly #end: boolean;
  readonly delivered: Promise<void>;
  #failed = false;
  readonly #onError = (error: unknown) => this.#fail(error);

  constructor(writable: Writable, receiver: ResultsReceiver, run: EndpointRun, format: 'lines' | 'ndjson' | 'objects', end: boolean) {
    this.#writable = writable;
    this.#receiver = receiver;
    this.#run = run;
    this.#format = format;
    this.#end = end;
    writable.on('error', this.#onError);
    this.delivered = this.#deliver();
  }

  async #deliver(): Promise<void> {
    const writable = this.#writable;
    try {
      for (;;) {
        let chunk: unknown[] | undefined;
        try {
          chunk = await this.#receiver.nextChunk();
        } catch {
          return; // the job failed or was cancelled: the job reports why, and the Writable stays open
        }
        if (chunk === undefined) break;
        if (!this.#write(chunk)) await drained(writable);
      }
      if (this.#end) {
        writable.end();
        if (!writable.writableFinished) await once(writable, 'finish');
      }
    } catch (error) {
      this.#fail(error);
      throw this.#failure(error);
    } finally {
      writable.off('error', this.#onError);
    }
  }

  /** Writes a chunk of records; false when the Writable asks to wait for 'drain'. */
  #write(chunk: unknown[]): boolean {
    const writable = this.#writable;
    if (this.#format === 'objects') {
      let ready = true;
      for (const record of chunk) ready = writable.write(record) && ready;
      return ready;
    }
    let text = '';
    if (this.#format === 'ndjson') for (const record of chunk) text += JSON.stringify(record) + '\n';
    else for (const record of chunk) text += String(record) + '\n';
    return writable.write(text);
  }

  #failure(cause: unknown): SluiceError {
    return new SluiceError(
      'SLUICE_WRITABLE_FAILED',
      `writableSink '${this.#run.operator}': the Writable failed: ${cause instanceof Error ? cause.message : String(cause)}; the job was stopped`,
      { cause },
    );
  }

  #fail(cause: unknown): void {
    if (this.#failed) return;
    this.#failed = true;
    this.#run.fail(this.#failure(cause));
  }
}

/** The main-thread part of a writable sink. */
class WritableEndpoint implements MainThreadEndpoint {
  readonly [MAIN_THREAD_ENDPOINT] = true as const;
  readonly #writable: Writable;
  readonly #results: ReturnType<typeof resultsEndpoint>;
  readonly #format: 'lines' | 'ndjson' | 'objects';
  readonly #end: boolean;

  constructor(writable: Writable, results: ReturnType<typeof resultsEndpoint>, format: 'lines' | 'ndjson' | 'objects', end: boolean) {
    this.#writable = writable;
    this.#results = results;
    this.#format = format;
    this.#end = end;
  }

  attach(run: EndpointRun): EndpointAttachment {
    const writable = this.#writable;
    if (writable.destroyed || writable.writableEnded) {
      throw new ConfigurationError(`${CONNECTOR} '${run.operator}': the Writable has ${writable.destroyed ? 'been destroyed' : 'ended'}; pass a stream that is open for writing`);
    }
    const { receiver, options } = this.#results.receiver(run);
    const delivery = new WritableDelivery(writable, receiver, run, this.#format, this.#end);
    delivery.delivered.catch(() => {}); // surfaces through the job's failure
    return {
      options,
      onEvent: (event) => receiver.onEvent(event),
      onEnd: async (outcome) => {
        receiver.onEnd(outcome);
        await delivery.delivered;
      },
    };
  }
}

/**
 * A sink writing records into a Writable of the main thread: one line per record (`String(record)`,
 * or JSON with `format: 'ndjson'`), or the records themselves into an object-mode Writable.
 * `write()` returning false is respected ('drain'), so a slow Writable backpressures the job. The
 * job's `done` (or `execute()`) resolves once the last record was written and, unless
 * `end: false` or the Writable is `process.stdout`/`process.stderr`, the Writable ended. An error
 * of the Writable stops the job with SLUICE_WRITABLE_FAILED.
 *
 * ```ts
 * stream.sink(writableSink(process.stdout));
 * stream.sink(writableSink(fs.createWriteStream('out.ndjson'), { format: 'ndjson' }));
 * ```
 *
 * Delivery as for {@link resultsSink}: with checkpoints, records are written once the checkpoint
 * after them completed, so a restart in this process writes each once; what the Writable had not
 * written out when the process died is lost (use `transactionalFileSink` for files that must
 * survive that).
 */
export function writableSink<T = unknown>(writable: Writable, options: WritableSinkOptions = {}): SinkSpec<T> {
  if (!isWritableLike(writable)) throw new ConfigurationError(`${CONNECTOR} needs a Writable stream, got ${describeValue(writable)}`);
  const given = optionsObject(CONNECTOR, options) as WritableSinkOptions;
  if (given.format !== undefined && given.format !== 'lines' && given.format !== 'ndjson') {
    throw new ConfigurationError(`${CONNECTOR}: options.format must be 'lines' or 'ndjson', got ${describeValue(given.format)}`);
  }
  if (given.format !== undefined && writable.writableObjectMode) {
    throw new ConfigurationError(`${CONNECTOR}: options.format applies to byte and string Writables; this one is in object mode and receives the records themselves`);
  }
  if (given.end !== undefined && typeof given.end !== 'boolean') {
    throw new ConfigurationError(`${CONNECTOR}: options.end must be a boolean, got ${describeValue(given.end)}`);
  }
  const standard = writable === (process.stdout as unknown) || writable === (process.stderr as unknown);
  if (standard && given.end === true) {
    throw new ConfigurationError(`${CONNECTOR}: process.stdout and process.stderr are never ended; leave options.end out`);
  }
  const format = writable.writableObjectMode ? 'objects' : (given.format ?? 'lines');
  const endpoint = new WritableEndpoint(writable, resultsEndpoint(CONNECTOR, given), format, standard ? false : given.end ?? true);
  return { fn: resultsSinkDefinition, options: endpoint, name: 'writable' };
}
