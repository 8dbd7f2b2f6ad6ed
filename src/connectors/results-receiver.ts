/**
 * The main-thread end of a results sink: reads the record batches its subtasks write into their
 * channels and hands them on (to `job.results()`, or to a Writable) once they are final.
 *
 * Without checkpoints a record is final when it is read. With checkpoints it is final once the
 * checkpoint after it completed: each sink subtask writes a marker at its snapshot of checkpoint
 * n, and a restart from n produces again exactly the records after the markers. Records after
 * the latest completed checkpoint are held; a failed attempt's are dropped, and the next attempt
 * delivers them again. A sink subtask that finished before a checkpoint completed is recorded as
 * finished in it (a restart does not run it again): all its records are final then.
 *
 * Backpressure: the receiver reads only while fewer than `highWaterMark` final records wait for
 * the consumer; the rings then fill and the sink subtasks stop taking records (without blocking
 * their threads), which backpressures the job.
 */
import type { EndpointRun } from '../api/main-thread-endpoint.js';
import type { JobEvent, JobResult } from '../runtime/job-result.js';
import type { MainThreadChannelBuffers } from '../runtime/main-thread-channel.js';
import { ChannelFrame, DoorbellWaiter, MainThreadChannelReader } from '../runtime/main-thread-channel.js';

/** Frames read from one subtask's ring before turning to the next (fairness). */
const FRAMES_PER_TURN = 16;

/** One sink subtask's channel and the records read from it that are not final yet. */
interface SubtaskResults {
  readonly reader: MainThreadChannelReader;
  /** Records read after the last committed point, oldest first. */
  held: unknown[];
  /** Markers read and not yet committed: the checkpoint and how many held records precede it. */
  readonly markers: Array<{ readonly checkpointId: number; count: number }>;
  /**
   * The highest checkpoint marker read in this attempt, at least the latest checkpoint completed
   * before the attempt began (0: none): a later checkpoint that completes after this subtask ended
   * without its marker recorded it as finished.
   */
  lastMarker: number;
  /** This attempt's end frame was read. */
  ended: boolean;
}

/** How the receiver's run ended. */
type Ending = { readonly kind: 'finished' } | { readonly kind: 'failed'; readonly error: unknown };

/** The main-thread end of a results sink, for one run. */
export class ResultsReceiver {
  readonly #run: EndpointRun;
  readonly #subtasks: SubtaskResults[];
  readonly #waiter: DoorbellWaiter;
  readonly #highWaterMark: number;
  /** Final records waiting for the consumer, in chunks. */
  readonly #ready: unknown[][] = [];
  #readyCount = 0;
  /** The latest completed checkpoint (not savepoint): records before its markers are final. */
  #completed = 0;
  /** The latest completed savepoint: a stop-with-savepoint makes records before its markers final. */
  #savepoint = 0;
  /** Every record read from now on is final (the job finished). */
  #final = false;
  #ending: Ending | undefined;
  #consumerWake: (() => void) | undefined;
  /** The pump skipped reading because the consumer is behind: a take must wake it. */
  #pumpHeld = false;
  #iterated = false;
  /** Settles when the pump stopped (every ring read to its end, or the run failed). */
  readonly stopped: Promise<void>;

  constructor(channels: readonly MainThreadChannelBuffers[], run: EndpointRun, highWaterMark: number) {
    this.#run = run;
    this.#highWaterMark = highWaterMark;
    this.#waiter = new DoorbellWaiter(channels[0]!.mainBell);
    this.#subtasks = channels.map((channel) => ({
      reader: new MainThreadChannelReader(channel.ring, channel.workerBell),
      held: [],
      markers: [],
      lastMarker: 0,
      ended: false,
    }));
    this.stopped = this.#pump();
  }

  /** A job event: completed checkpoints make records final; a failed attempt's held records are dropped. */
  onEvent(event: JobEvent): void {
    if (event.type === 'checkpoint' && event.statistics.status === 'completed') {
      if (event.statistics.kind === 'savepoint') {
        this.#savepoint = Math.max(this.#savepoint, event.statistics.id);
        return;
      }
      this.#completed = Math.max(this.#completed, event.statistics.id);
      for (const subtask of this.#subtasks) this.#commit(subtask, this.#completed);
      this.#wakeConsumer();
    } else if (event.type === 'failed') {
      // The attempt's threads have stopped: what they wrote is all in the rings. Records before a
      // marker of a completed checkpoint are final; the rest comes again from the next attempt.
      for (const subtask of this.#subtasks) {
        this.#readAll(subtask);
        subtask.held = [];
        subtask.markers.length = 0;
        // Only a checkpoint of the next attempt can record this subtask as finished: one completed
        // before it (the restore point) may have this subtask run again.
        subtask.lastMarker = this.#completed;
        subtask.ended = false;
      }
      this.#wakeConsumer();
    }
  }

  /** The job ended. */
  onEnd(outcome: { readonly kind: 'finished'; readonly result: JobResult } | { readonly kind: 'failed'; readonly error: unknown }): void {
    if (outcome.kind === 'finished' && outcome.result.savepoint === undefined) {
      // Every sink subtask finished: everything it wrote is final, held records first.
      for (const subtask of this.#subtasks) {
        this.#pushReady(subtask.held);
        subtask.held = [];
        subtask.markers.length = 0;
      }
      this.#final = true;
      for (const subtask of this.#subtasks) this.#readAll(subtask);
      this.#ending = { kind: 'finished' };
    } else if (outcome.kind === 'finished') {
      // Stopped with a savepoint: records before its markers are final; the rest comes again from
      // a run restored from the savepoint.
      for (const subtask of this.#subtasks) {
        this.#readAll(subtask);
        this.#commit(subtask, this.#savepoint, true);
      }
      this.#ending = { kind: 'finished' };
    } else {
      this.#ending = { kind: 'failed', error: outcome.error };
    }
    this.#waiter.close();
    this.#wakeConsumer();
  }

  /**
   * The next chunk of final records, or undefined once every record was handed out and the job
   * finished; rejects with the job's error once the final records before it were handed out.
   */
  async nextChunk(): Promise<unknown[] | undefined> {
    for (;;) {
      const chunk = this.#ready.shift();
      if (chunk) {
        this.#readyCount -= chunk.length;
        if (this.#pumpHeld && this.#readyCount < this.#highWaterMark) this.#waiter.ring();
        return chunk;
      }
      const ending = this.#ending;
      if (ending?.kind === 'failed') throw ending.error;
      if (ending?.kind === 'finished') return undefined;
      await new Promise<void>((resolve) => (this.#consumerWake = resolve));
    }
  }

  /** The records one by one, for `job.results()`: iterate once; leaving early cancels the job. */
  iterable(): AsyncIterable<unknown> {
    return {
      [Symbol.asyncIterator]: () => {
        if (this.#iterated) throw new TypeError(`the results of '${this.#run.operator}' can be iterated once; this job's results were taken by an earlier loop`);
        this.#iterated = true;
        let chunk: unknown[] = [];
        let index = 0;
        let done = false;
        return {
          next: async (): Promise<IteratorResult<unknown>> => {
            while (index === chunk.length) {
              if (done) return { done: true, value: undefined };
              const next = await this.nextChunk().catch((error: unknown) => {
                done = true;
                throw error;
              });
              if (next === undefined) {
                done = true;
                return { done: true, value: undefined };
              }
              chunk = next;
              index = 0;
            }
            return { done: false, value: chunk[index++] };
          },
          return: async (): Promise<IteratorResult<unknown>> => {
            if (!done && this.#ending === undefined) {
              this.#run.cancel(new Error(`the loop over the results of '${this.#run.operator}' was left early (break, return or throw)`));
            }
            done = true;
            chunk = [];
            index = 0;
            return { done: true, value: undefined };
          },
        };
      },
    };
  }

  /** Reads the rings while the consumer keeps up; parks on the main doorbell when there is nothing to do. */
  async #pump(): Promise<void> {
    const waiter = this.#waiter;
    while (this.#ending === undefined) {
      const sampled = waiter.sample();
      this.#pumpHeld = this.#readyCount >= this.#highWaterMark;
      if (!this.#pumpHeld) {
        let moved = false;
        for (const subtask of this.#subtasks) moved = this.#readSome(subtask) || moved;
        if (moved) {
          this.#wakeConsumer();
          continue;
        }
      }
      await waiter.wait(sampled);
    }
  }

  /** Reads up to a turn's frames of `subtask`; true when any was read. */
  #readSome(subtask: SubtaskResults): boolean {
    let frames = 0;
    while (frames < FRAMES_PER_TURN && this.#readyCount < this.#highWaterMark && this.#readFrame(subtask)) frames++;
    subtask.reader.release();
    return frames > 0;
  }

  /** Reads every frame in `subtask`'s ring (the attempt has stopped: at most a ring's worth). */
  #readAll(subtask: SubtaskResults): void {
    while (this.#readFrame(subtask)) {
      // every frame
    }
    subtask.reader.release();
  }

  /** Reads one frame of `subtask`; false when its ring has none. */
  #readFrame(subtask: SubtaskResults): boolean {
    const reader = subtask.reader;
    switch (reader.next()) {
      case ChannelFrame.None:
        return false;
      case ChannelFrame.Records: {
        const records: unknown[] = [];
        reader.cursor.step((record) => records.push(record), Number.MAX_SAFE_INTEGER);
        if (this.#final || !this.#run.checkpointing) {
          this.#pushReady(records);
        } else {
          for (const record of records) subtask.held.push(record);
        }
        return true;
      }
      case ChannelFrame.Marker:
        subtask.lastMarker = Math.max(subtask.lastMarker, reader.markerId);
        if (this.#run.checkpointing && !this.#final) {
          subtask.markers.push({ checkpointId: reader.markerId, count: subtask.held.length });
          this.#commit(subtask, this.#completed);
        }
        return true;
      case ChannelFrame.End:
        subtask.ended = true;
        this.#commit(subtask, this.#completed);
        return true;
      default:
        return false;
    }
  }

  /**
   * Makes final the held records of `subtask` before its markers of checkpoints up to `upTo`; all
   * of them when it ended without a marker of `upTo` (it had finished before that checkpoint), or
   * when `exact` asks for the records before the marker of `upTo` only (a stop-with-savepoint).
   */
  #commit(subtask: SubtaskResults, upTo: number, exact = false): void {
    if (upTo === 0) return;
    let count = 0;
    let kept = 0;
    for (const marker of subtask.markers) {
      if (marker.checkpointId > upTo) break;
      count = marker.count;
      kept++;
    }
    if (!exact && subtask.ended && subtask.lastMarker < upTo) count = subtask.held.length;
    if (count === 0 && kept === 0) return;
    subtask.markers.splice(0, kept);
    if (count > 0) {
      const final = subtask.held.length === count ? subtask.held : subtask.held.slice(0, count);
      subtask.held = subtask.held.length === count ? [] : subtask.held.slice(count);
      for (const marker of subtask.markers) marker.count -= count;
      this.#pushReady(final);
    }
  }

  #pushReady(records: unknown[]): void {
    if (records.length === 0) return;
    this.#ready.push(records);
    this.#readyCount += records.length;
  }

  #wakeConsumer(): void {
    const wake = this.#consumerWake;
    if (wake && (this.#readyCount > 0 || this.#ending !== undefined)) {
      this.#consumerWake = undefined;
      wake();
    }
  }
}
