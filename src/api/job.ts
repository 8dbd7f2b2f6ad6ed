/**
 * A running job, as `pipeline.start()` returns it, and the attachment of the job's main-thread
 * connectors (iterables, Writables, results sinks) to the run.
 */
import { ConfigurationError } from '../errors/sluice-error.js';
import type { CheckpointStatistics } from '../checkpoint/checkpoint-stats.js';
import type { ResolvedJobSettings } from '../plan/job-settings.js';
import type { LogicalNode } from '../plan/logical-graph.js';
import type { JobControl } from '../runtime/job-control.js';
import type { ExecuteOptions, JobEvent, JobResult } from '../runtime/job-result.js';
import type { EndpointAttachment, EndpointRun } from './main-thread-endpoint.js';
import { isMainThreadEndpoint } from './main-thread-endpoint.js';

/** A handle on a sink: its name (what `stream.sink()` returns). */
interface NamedSink<T> {
  readonly name: string;
  readonly __records?: T;
}

/**
 * A job started with `pipeline.start()`.
 *
 * ```ts
 * const job = pipeline.start({ checkpoints: { mode: 'aligned', dir: 'ckpt' } });
 * for await (const record of job.results()) console.log(record);
 * const result = await job.done;
 * ```
 */
export class Job {
  /** Resolves with what the job did once it finished (or stopped with a savepoint); rejects with why it failed or that it was cancelled. */
  readonly done: Promise<JobResult>;
  readonly #control: JobControl;
  readonly #cancel: (reason: unknown) => void;
  readonly #results: ReadonlyMap<string, AsyncIterable<unknown>>;

  /** @internal */
  constructor(done: Promise<JobResult>, control: JobControl, cancel: (reason: unknown) => void, results: ReadonlyMap<string, AsyncIterable<unknown>>) {
    this.done = done;
    this.#control = control;
    this.#cancel = cancel;
    this.#results = results;
  }

  /**
   * The records of a results sink (`stream.sink(resultsSink())`), as they arrive: the one
   * results sink of the job, or the one `sink` names. Iterate them once. Leaving the loop early
   * (`break`, `return`, a throw) cancels the job. With checkpoints, a record arrives once the
   * checkpoint after it completed, so a restart from that checkpoint does not deliver it again.
   * A failure of the job ends the iteration with that error; so does a cancel.
   */
  results<T = unknown>(sink?: NamedSink<T> | string): AsyncIterable<T> {
    const names = [...this.#results.keys()];
    if (names.length === 0) throw new ConfigurationError('job.results() needs a results sink in the pipeline: add one with stream.sink(resultsSink())');
    const name = typeof sink === 'string' ? sink : sink?.name;
    if (name === undefined && names.length > 1) {
      throw new ConfigurationError(`the job has ${names.length} results sinks (${names.map((n) => `'${n}'`).join(', ')}): say which with job.results(handle), the handle stream.sink() returned`);
    }
    const results = this.#results.get(name ?? names[0]!);
    if (!results) throw new ConfigurationError(`job.results(): '${name}' is not a results sink of this job; results sinks: ${names.map((n) => `'${n}'`).join(', ')}`);
    // The job's failure ends the iteration: a caller that only iterates must not also see it unhandled.
    this.done.catch(() => {});
    return results as AsyncIterable<T>;
  }

  /** Cancels the job: `done` rejects with a JobCancelledError whose cause is `reason`. No-op once it ended. */
  cancel(reason?: unknown): void {
    this.#cancel(reason);
  }

  /** Takes a savepoint into `dir` while the job runs (it needs checkpoints enabled); restore it with `restore: dir`. */
  savepoint(dir: string): Promise<CheckpointStatistics> {
    return this.#control.savepoint(dir);
  }

  /** Takes a savepoint into `dir`, then stops the job: `done` resolves with `savepoint: dir`. */
  stopWithSavepoint(dir: string): Promise<CheckpointStatistics> {
    return this.#control.stopWithSavepoint(dir);
  }
}

/** The main-thread connectors of one run. */
export interface AttachedEndpoints {
  /** The job's nodes, each main-thread connector's options replaced with this run's. */
  readonly nodes: readonly LogicalNode[];
  /** Results sinks by operator name. */
  readonly results: ReadonlyMap<string, AsyncIterable<unknown>>;
  /** The error a connector stopped the job with, if one did. */
  readonly failure: Error | undefined;
  onEvent(event: JobEvent): void;
  /** Tells every connector how the job ended; settles once each has (a Writable written to its end). */
  onEnd(outcome: Parameters<NonNullable<EndpointAttachment['onEnd']>>[0]): Promise<void>;
}

/** Attaches every main-thread connector of `nodes` to a new run; undoes what it attached when one throws. */
export function attachEndpoints(
  nodes: readonly LogicalNode[],
  settings: ResolvedJobSettings,
  execute: ExecuteOptions,
  controller: AbortController,
): AttachedEndpoints {
  const attachments: EndpointAttachment[] = [];
  const results = new Map<string, AsyncIterable<unknown>>();
  let failure: Error | undefined;
  const end = async (outcome: Parameters<NonNullable<EndpointAttachment['onEnd']>>[0]) => {
    const settled = attachments.map((attachment) => attachment.onEnd?.(outcome));
    await Promise.all(settled);
  };
  let attached: LogicalNode[];
  try {
    attached = nodes.map((node) => {
      if (!isMainThreadEndpoint(node.options)) return node;
      const run: EndpointRun = {
        operator: node.name,
        parallelism: node.parallelism ?? settings.parallelism,
        checkpointing: execute.checkpoints !== undefined,
        signal: controller.signal,
        fail: (error) => {
          failure ??= error;
          controller.abort(error);
        },
        cancel: (reason) => controller.abort(reason),
      };
      const attachment = node.options.attach(run);
      attachments.push(attachment);
      if (attachment.results) results.set(node.name, attachment.results);
      return { ...node, options: attachment.options };
    });
  } catch (error) {
    void end({ kind: 'failed', error }).catch(() => {});
    throw error;
  }
  return {
    nodes: attached,
    results,
    get failure() {
      return failure;
    },
    onEvent(event) {
      for (const attachment of attachments) attachment.onEvent?.(event);
    },
    onEnd: end,
  };
}
