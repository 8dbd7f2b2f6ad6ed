/** Helpers of the engine tests for jobs that fail, are cancelled, or never end on their own. */
import { setTimeout as sleep } from 'node:timers/promises';
import { sources } from './compiled.js';

/** The error `run` rejects with; throws if it resolves. */
export async function failureOf(run: Promise<unknown>): Promise<Error & { code?: string; cause?: unknown }> {
  try {
    await run;
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected the job to fail, but it finished');
}

/** A view of the counters an unbounded source's subtasks keep in shared memory. */
export class SourceProbe {
  readonly buffer = new SharedArrayBuffer(sources.PROBE_BYTES);
  readonly #words = new Int32Array(this.buffer);

  get polls(): number {
    return Atomics.load(this.#words, sources.PROBE_POLLS);
  }
  get opened(): number {
    return Atomics.load(this.#words, sources.PROBE_OPENED);
  }
  get closed(): number {
    return Atomics.load(this.#words, sources.PROBE_CLOSED);
  }

  /** Resolves once the sources have polled at least `count` times in all: the job is running. */
  async polled(count: number): Promise<void> {
    while (this.polls < count) await sleep(5);
  }

  /**
   * Whether the source subtasks have stopped for good: the poll count does not move in
   * `quietMs`. A busy source polls every few microseconds, so any surviving thread moves it.
   */
  async stoppedPolling(quietMs = 300): Promise<boolean> {
    const before = this.polls;
    await sleep(quietMs);
    return this.polls === before;
  }
}
