/**
 * Connectors with a part in the main thread: an async iterable or a Readable read there, the
 * consumer of `job.results()`, a Writable. Such a connector's spec carries a
 * {@link MainThreadEndpoint} as its options; `pipeline.start()` attaches it to the run, which
 * allocates the shared memory its worker-side function uses, and tells it what the job does.
 */
import type { JobEvent, JobResult } from '../runtime/job-result.js';

/** Marks a {@link MainThreadEndpoint}. */
export const MAIN_THREAD_ENDPOINT: unique symbol = Symbol.for('sluice.main-thread-endpoint');

/** What a run offers an endpoint attached to it. */
export interface EndpointRun {
  /** The connector's operator name in the job. */
  readonly operator: string;
  /** Its subtasks. */
  readonly parallelism: number;
  /** Whether the run takes checkpoints (then it restarts from them after a failure, by default). */
  readonly checkpointing: boolean;
  /** Aborted when the job is cancelled or stopped by a connector: nothing more should start. */
  readonly signal: AbortSignal;
  /** Stops the job with `error`: `done` rejects with it. */
  fail(error: Error): void;
  /** Cancels the job: `done` rejects with a JobCancelledError whose cause is `reason`. */
  cancel(reason: unknown): void;
}

/** How an attached endpoint takes part in one run. */
export interface EndpointAttachment {
  /** Options of the worker-side function for this run: structured-cloneable (shared memory is shared). */
  readonly options: unknown;
  /** A job event: checkpoints that completed or failed, attempts that failed, restores. */
  onEvent?(event: JobEvent): void;
  /**
   * The job ended: it finished (or stopped with a savepoint: `result.savepoint`), or failed or was
   * cancelled. `done` settles once the promise returned settles (a Writable written to its end).
   */
  onEnd?(outcome: { readonly kind: 'finished'; readonly result: JobResult } | { readonly kind: 'failed'; readonly error: unknown }): void | Promise<void>;
  /** For a results sink: its records, for `job.results()`. */
  readonly results?: AsyncIterable<unknown>;
}

/** The main-thread part of a connector, in its spec's options. */
export interface MainThreadEndpoint {
  readonly [MAIN_THREAD_ENDPOINT]: true;
  /** Whether its records are taken with `job.results()` (then the job needs `start()`, not `execute()`). */
  readonly providesResults?: boolean;
  /** Attaches to a run of the job (once per `start()`); throws when it cannot take part. */
  attach(run: EndpointRun): EndpointAttachment;
}

/** Whether `value` is a {@link MainThreadEndpoint}. */
export function isMainThreadEndpoint(value: unknown): value is MainThreadEndpoint {
  return typeof value === 'object' && value !== null && (value as { [MAIN_THREAD_ENDPOINT]?: unknown })[MAIN_THREAD_ENDPOINT] === true;
}
