/**
 * Sources written as an iterable created inside the worker: `defineIterableSource(import.meta,
 * (options, start) => iterable)`. The factory runs in each subtask's worker thread, so it can open
 * files, sockets or clients there (`fs.createReadStream`, a database cursor); an async iterable is
 * pulled ahead into a small buffer while the subtask's loop emits what is there, so the thread
 * never blocks on it.
 *
 * The position is the number of records the subtask emitted. On restore the factory receives it
 * (`start.position`): an iterable that starts there makes the source exactly-once; one that
 * starts from its beginning anyway emits the records before the checkpoint again (at-least-once).
 */
import type { Collector } from '../api/context.js';
import { defineSource } from '../api/functions.js';
import type { ModuleMeta, SourceContext, SourceDefinition, SourceFunction, SourceStatus } from '../api/functions.js';

/** Where a subtask of an iterable source starts. */
export interface IterableSourceStart<Opt = unknown> {
  /**
   * Records this subtask emitted before the checkpoint it restores (0 on a fresh start): the
   * iterable should begin with the record after them.
   */
  readonly position: number;
  /** The subtask (index, parallelism) and its options. */
  readonly ctx: SourceContext<Opt>;
}

/** Creates a subtask's iterable from the source's options and where it starts. */
export type IterableSourceFactory<T, Opt = unknown> = (options: Opt, start: IterableSourceStart<Opt>) => AsyncIterable<T> | Iterable<T>;

/** Records pulled ahead of the subtask's loop. */
const PULL_AHEAD = 1024;

class IterableSourceAdapter<T> implements SourceFunction<T, number> {
  readonly #factory: IterableSourceFactory<T, unknown>;
  readonly #options: unknown;
  #sync: Iterator<T> | undefined;
  #async: AsyncIterator<T> | undefined;
  /** Records pulled and not emitted: `#buffer[#head..]`. */
  #buffer: T[] = [];
  #head = 0;
  #emitted = 0;
  #done = false;
  #pulling = false;
  #closed = false;
  #failure: { error: unknown } | undefined;
  #wakeup: () => void = () => {};

  constructor(factory: IterableSourceFactory<T, unknown>, options: unknown) {
    this.#factory = factory;
    this.#options = options;
  }

  open(ctx: SourceContext, restoredPosition: number | undefined): void {
    this.#emitted = restoredPosition ?? 0;
    this.#wakeup = () => ctx.wakeup();
    const iterable = this.#factory(this.#options, { position: this.#emitted, ctx });
    if (iterable !== null && typeof iterable === 'object' && typeof (iterable as AsyncIterable<T>)[Symbol.asyncIterator] === 'function') {
      this.#async = (iterable as AsyncIterable<T>)[Symbol.asyncIterator]();
      void this.#pull();
    } else if (iterable !== null && typeof iterable === 'object' && typeof (iterable as Iterable<T>)[Symbol.iterator] === 'function') {
      this.#sync = (iterable as Iterable<T>)[Symbol.iterator]();
    } else {
      throw new TypeError(`the iterable source's factory must return an async iterable or an iterable, got ${iterable === null ? 'null' : typeof iterable}`);
    }
  }

  poll(out: Collector<T>, budget: number): SourceStatus {
    if (this.#failure) throw this.#failure.error;
    const sync = this.#sync;
    if (sync) {
      for (let i = 0; i < budget; i++) {
        const result = sync.next();
        if (result.done) return 'end';
        this.#emitted++;
        out.collect(result.value);
      }
      return 'more';
    }
    const buffer = this.#buffer;
    const end = Math.min(buffer.length, this.#head + budget);
    for (let i = this.#head; i < end; i++) {
      this.#head = i + 1;
      this.#emitted++;
      out.collect(buffer[i]!);
    }
    if (this.#head === buffer.length) {
      buffer.length = 0;
      this.#head = 0;
    }
    const left = buffer.length - this.#head;
    if (!this.#pulling && !this.#done && left < PULL_AHEAD / 2) void this.#pull();
    if (left > 0) return 'more';
    return this.#done ? 'end' : 'idle';
  }

  position(): number {
    return this.#emitted;
  }

  describePosition(position: number): string {
    return `record ${position} of the subtask's iterable`;
  }

  close(): void {
    this.#closed = true;
    if (this.#done) return;
    // Not awaited: an async generator waiting in its pending next() would hold the subtask's end.
    const iterator = this.#async ?? this.#sync;
    void Promise.resolve()
      .then(() => iterator?.return?.())
      .catch(() => {});
  }

  /** Pulls the async iterator until the buffer holds {@link PULL_AHEAD} records or it ends; wakes the loop when records arrive. */
  async #pull(): Promise<void> {
    this.#pulling = true;
    try {
      const iterator = this.#async!;
      while (!this.#closed && this.#buffer.length - this.#head < PULL_AHEAD) {
        const result = await iterator.next();
        if (result.done) {
          this.#done = true;
          break;
        }
        const empty = this.#buffer.length === this.#head;
        this.#buffer.push(result.value);
        if (empty) this.#wakeup();
      }
    } catch (error) {
      this.#failure = { error };
    } finally {
      this.#pulling = false;
      this.#wakeup();
    }
  }
}

/**
 * Defines a source from a function that returns an iterable (async or not), created in each
 * subtask's worker; export the result from its module and add it with `sourceSpec(definition,
 * options)`. The function receives the source's options and where the subtask starts:
 * `start.position` records after the beginning (0 unless restoring), and `start.ctx` (subtask
 * index and parallelism, to read a share of the input).
 *
 * ```ts
 * export const lines = defineIterableSource(import.meta, (options: { path: string }, start) =>
 *   skip(readline.createInterface({ input: fs.createReadStream(options.path) }), start.position));
 * ```
 *
 * Exactly-once when the iterable begins at `start.position`; an iterable that begins at its
 * start whatever the position emits the records before the checkpoint again (at-least-once).
 */
export function defineIterableSource<T, Opt = unknown>(meta: ModuleMeta, factory: IterableSourceFactory<T, Opt>): SourceDefinition<T, Opt> {
  if (typeof factory !== 'function') throw new TypeError('defineIterableSource: the second argument must be a function returning an iterable');
  return defineSource<T, Opt>(meta, (options) => new IterableSourceAdapter<T>(factory as IterableSourceFactory<T, unknown>, options));
}
