import { LayoutError } from './errors.js';
import {
  DOORBELL_BYTES,
  DOORBELL_MAGIC,
  DOORBELL_MAGIC_SLOT,
  DOORBELL_PARKED,
  DOORBELL_PARKS,
  DOORBELL_SEQ,
} from './layout.js';

/** Period of the timer that keeps the event loop alive during {@link Doorbell.waitAsync}: never reached in practice. */
const KEEP_ALIVE_INTERVAL_MS = 2 ** 30;

function keepLoopAlive(): void {}

/** How a wait on a doorbell ended. */
export type WaitResult = 'rung' | 'timed-out';

/** Options of {@link Doorbell}. */
export interface DoorbellOptions {
  /**
   * Checks of the event count before parking (spin-then-park). A spin hands work over in
   * about 0.1 us instead of a ~50 us park and wake, but on a host with fewer cores than
   * busy threads it steals the CPU from the thread that would make progress. Default 200.
   */
  readonly spin?: number;
}

function validateDoorbellBuffer(buffer: SharedArrayBuffer): Int32Array {
  if (!(buffer instanceof SharedArrayBuffer)) {
    throw new TypeError('a doorbell needs a SharedArrayBuffer made by Doorbell.allocate()');
  }
  if (buffer.byteLength < DOORBELL_BYTES) {
    throw new LayoutError(`a doorbell buffer needs ${DOORBELL_BYTES} bytes, got ${buffer.byteLength}`);
  }
  const words = new Int32Array(buffer, 0, DOORBELL_BYTES / 4);
  if (Atomics.load(words, DOORBELL_MAGIC_SLOT) !== DOORBELL_MAGIC) {
    throw new LayoutError('this SharedArrayBuffer was not made by Doorbell.allocate()');
  }
  return words;
}

/**
 * The owner's side of a doorbell: one event-count word per worker, so a worker can wait on
 * many rings and a control mailbox at once.
 *
 * The owner reads the count with {@link sample}, checks everything it owns, and only if
 * nothing was ready waits with {@link wait}(sample). A peer that makes progress possible
 * (data written, space freed, control posted) calls {@link DoorbellRinger.ring}, which
 * increments the count and notifies only when the owner said it is parked. A ring between
 * the sample and the wait makes the wait return at once: no wake-up is lost.
 */
export class Doorbell {
  /** The shared buffer: hand it to the peers, which build a {@link DoorbellRinger} on it. */
  readonly buffer: SharedArrayBuffer;
  readonly #words: Int32Array;
  readonly #spin: number;

  /** Allocates a fresh doorbell buffer. */
  static allocate(): SharedArrayBuffer {
    const buffer = new SharedArrayBuffer(DOORBELL_BYTES);
    Atomics.store(new Int32Array(buffer), DOORBELL_MAGIC_SLOT, DOORBELL_MAGIC);
    return buffer;
  }

  constructor(buffer: SharedArrayBuffer, options: DoorbellOptions = {}) {
    this.#words = validateDoorbellBuffer(buffer);
    this.buffer = buffer;
    const spin = options.spin ?? 200;
    if (!Number.isInteger(spin) || spin < 0) {
      throw new TypeError(`options.spin must be a non-negative integer, got ${String(spin)}`);
    }
    this.#spin = spin;
  }

  /** The current event count; pass it to {@link wait} after checking for work. */
  sample(): number {
    return Atomics.load(this.#words, DOORBELL_SEQ);
  }

  /** Times this owner actually parked (after the spin found nothing). */
  get parks(): number {
    return Atomics.load(this.#words, DOORBELL_PARKS);
  }

  /**
   * Waits until the event count differs from `sampled`, spinning briefly before parking.
   * Blocks the thread: use {@link waitAsync} on a thread with an event loop to keep.
   */
  wait(sampled: number, timeoutMs = Infinity): WaitResult {
    if (this.#spinFor(sampled)) return 'rung';
    const words = this.#words;
    Atomics.store(words, DOORBELL_PARKED, 1);
    // The store of PARKED precedes this load; a peer adds to SEQ before loading PARKED.
    // Either we see its increment here, or it sees PARKED and notifies.
    if (Atomics.load(words, DOORBELL_SEQ) !== sampled) {
      Atomics.store(words, DOORBELL_PARKED, 0);
      return 'rung';
    }
    Atomics.add(words, DOORBELL_PARKS, 1);
    const outcome = Atomics.wait(words, DOORBELL_SEQ, sampled, timeoutMs);
    Atomics.store(words, DOORBELL_PARKED, 0);
    return outcome === 'timed-out' ? 'timed-out' : 'rung';
  }

  /**
   * Like {@link wait}, but parks with `Atomics.waitAsync`, so the thread's event loop keeps
   * running (I/O callbacks, messages) while it is parked.
   */
  async waitAsync(sampled: number, timeoutMs = Infinity): Promise<WaitResult> {
    if (this.#spinFor(sampled)) return 'rung';
    const words = this.#words;
    Atomics.store(words, DOORBELL_PARKED, 1);
    const pending = Atomics.waitAsync(words, DOORBELL_SEQ, sampled, timeoutMs);
    if (!pending.async) {
      Atomics.store(words, DOORBELL_PARKED, 0);
      return pending.value === 'timed-out' ? 'timed-out' : 'rung';
    }
    Atomics.add(words, DOORBELL_PARKS, 1);
    // A pending Atomics.waitAsync does not keep a Node thread's event loop alive
    // (nodejs/node#44729): without a ref'd handle, a thread with nothing else to do would exit
    // while parked, its wait never settled. The timer only holds the loop open; it never fires.
    const keepAlive = setInterval(keepLoopAlive, KEEP_ALIVE_INTERVAL_MS);
    let outcome: 'ok' | 'not-equal' | 'timed-out';
    try {
      outcome = await pending.value;
    } finally {
      clearInterval(keepAlive);
    }
    Atomics.store(words, DOORBELL_PARKED, 0);
    return outcome === 'timed-out' ? 'timed-out' : 'rung';
  }

  #spinFor(sampled: number): boolean {
    const words = this.#words;
    for (let i = 0; i < this.#spin; i++) {
      if (Atomics.load(words, DOORBELL_SEQ) !== sampled) return true;
    }
    return false;
  }
}

/** A peer's side of a doorbell: it can only ring. */
export class DoorbellRinger {
  readonly #words: Int32Array;

  constructor(buffer: SharedArrayBuffer) {
    this.#words = validateDoorbellBuffer(buffer);
  }

  /** Tells the owner that something it waits for may have changed; wakes it if parked. */
  ring(): void {
    const words = this.#words;
    Atomics.add(words, DOORBELL_SEQ, 1);
    // Load PARKED after the add (see Doorbell.wait): notify, a ~27 ns call, only when parked.
    if (Atomics.load(words, DOORBELL_PARKED) !== 0) Atomics.notify(words, DOORBELL_SEQ);
  }
}

/** A ringer that does nothing, for a ring end whose peer never waits. */
export const NO_RINGER: Pick<DoorbellRinger, 'ring'> = { ring() {} };
