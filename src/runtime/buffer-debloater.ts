/**
 * Buffer debloating (as Flink's FLIP-183): a subtask sizes the data in flight on its input
 * channels to about `targetMs` of its own measured throughput, so that an aligned barrier
 * queued behind that data waits about `targetMs`, and an unaligned checkpoint persists about
 * that much, whatever the rings' capacity.
 *
 * The input side reports the bytes it consumes per channel; every `periodMs` the debloater
 * turns them into a throughput (bytes per second, smoothed), the throughput into a total
 * in-flight size (throughput × target), and that into a per-channel limit (split evenly over
 * the channels still open, within `minBytes` and the ring's capacity). A limit changes only when
 * it moves by more than a tenth, so producers are not disturbed by noise.
 */

/** How a subtask debloats its inputs. */
export interface DebloatSettings {
  /** In-flight data to keep, as milliseconds of the subtask's throughput (Flink's default: 1000). */
  readonly targetMs: number;
  /**
   * Smallest in-flight limit of a channel, in bytes. Producers cut batches to a quarter of the
   * limit, and an empty ring takes a frame whatever its size, so any minimum keeps data moving.
   */
  readonly minBytes: number;
  /** How often throughput is measured and limits recomputed. */
  readonly periodMs: number;
}

/** Flink's target (1 s) and about Flink's smallest debloated buffers per channel (256 B segments × 10). */
export const DEFAULT_DEBLOAT: DebloatSettings = { targetMs: 1000, minBytes: 4 * 1024, periodMs: 100 };

/** Weight of the newest measurement in the smoothed throughput. */
const SMOOTHING = 0.3;
/** A new limit is applied when it differs from the current one by more than this fraction. */
const CHANGE_THRESHOLD = 0.1;

/** Sizes the in-flight limits of one subtask's input channels. */
export class BufferDebloater {
  readonly #settings: DebloatSettings;
  readonly #capacities: readonly number[];
  readonly #limits: number[];
  readonly #open: boolean[];
  #consumed = 0;
  #periodStart: number;
  /** Smoothed throughput in bytes per second, or -1 before the first period ends. */
  #throughput = -1;

  /** `capacities`: each input channel's ring capacity. `now`: milliseconds, any monotonic clock. */
  constructor(settings: DebloatSettings, capacities: readonly number[], now: number) {
    if (!(settings.targetMs > 0)) throw new RangeError(`debloat target must be a positive number of milliseconds, got ${String(settings.targetMs)}`);
    if (!(settings.minBytes > 0)) throw new RangeError(`debloat minimum must be a positive number of bytes, got ${String(settings.minBytes)}`);
    if (!(settings.periodMs > 0)) throw new RangeError(`debloat period must be a positive number of milliseconds, got ${String(settings.periodMs)}`);
    this.#settings = settings;
    this.#capacities = capacities;
    // Start small: a full ring at start-up would hold the first aligned barrier for as long as it
    // takes to drain; the first period's throughput then raises the limits as far as it warrants.
    this.#limits = capacities.map((capacity) => Math.min(capacity, settings.minBytes));
    this.#open = capacities.map(() => true);
    this.#periodStart = now;
  }

  /** The current limit of each channel, in bytes (the minimum until the first period ends). */
  get limits(): readonly number[] {
    return this.#limits;
  }

  /** The smoothed throughput of the subtask's inputs, bytes per second (0 before it is measured). */
  get throughput(): number {
    return Math.max(0, this.#throughput);
  }

  /** Counts bytes consumed from the inputs (any channel). */
  consumed(bytes: number): void {
    this.#consumed += bytes;
  }

  /** A channel ended: the others share the target. */
  closed(channel: number): void {
    this.#open[channel] = false;
  }

  /**
   * Ends the measurement period if `now` is past it and recomputes the limits. Returns the
   * channels whose limit changed (empty most of the time), for the caller to hand to their rings.
   */
  update(now: number): readonly number[] {
    const elapsed = now - this.#periodStart;
    if (elapsed < this.#settings.periodMs) return NOTHING_CHANGED;
    const measured = (this.#consumed * 1000) / elapsed;
    this.#throughput = this.#throughput < 0 ? measured : SMOOTHING * measured + (1 - SMOOTHING) * this.#throughput;
    this.#consumed = 0;
    this.#periodStart = now;

    const open = this.#open.filter(Boolean).length;
    if (open === 0) return NOTHING_CHANGED;
    const perChannel = (this.#throughput * this.#settings.targetMs) / 1000 / open;
    const changed: number[] = [];
    this.#limits.forEach((current, channel) => {
      if (!this.#open[channel]) return;
      const capacity = this.#capacities[channel]!;
      // Multiples of 8 bytes: frames are 8-aligned.
      const wanted = Math.min(capacity, Math.max(this.#settings.minBytes, Math.ceil(perChannel / 8) * 8));
      if (Math.abs(wanted - current) > current * CHANGE_THRESHOLD) {
        this.#limits[channel] = wanted;
        changed.push(channel);
      }
    });
    return changed;
  }
}

const NOTHING_CHANGED: readonly number[] = Object.freeze([]);

/** What {@link InputDebloat} needs of an input channel's ring: its capacity and a way to set its limit. */
export interface DebloatedReader {
  readonly capacity: number;
  setInFlightLimit(bytes: number): void;
}

/**
 * A subtask's input channels under debloating: counts what the input side consumes and, once per
 * period, hands new limits to the rings. A do-nothing instance ({@link NO_DEBLOAT}) stands in
 * when debloating is off, so the input side calls it unconditionally.
 */
export class InputDebloat {
  readonly #debloater: BufferDebloater;
  readonly #readers: readonly DebloatedReader[];

  constructor(settings: DebloatSettings, readers: readonly DebloatedReader[], now: number) {
    this.#readers = readers;
    this.#debloater = new BufferDebloater(settings, readers.map((reader) => reader.capacity), now);
    readers.forEach((reader, channel) => reader.setInFlightLimit(this.#debloater.limits[channel]!));
  }

  /** The current limit of each input channel. */
  get limits(): readonly number[] {
    return this.#debloater.limits;
  }

  /** Counts bytes consumed from any input channel. */
  consumed(bytes: number): void {
    this.#debloater.consumed(bytes);
  }

  /** Input channel `channel` ended. */
  closed(channel: number): void {
    this.#debloater.closed(channel);
  }

  /** Recomputes the limits when a period is over, and sets the changed ones on their rings. */
  update(now: number): void {
    for (const channel of this.#debloater.update(now)) this.#readers[channel]!.setInFlightLimit(this.#debloater.limits[channel]!);
  }
}

/** Debloating off: nothing is counted and no limit is set. */
export const NO_DEBLOAT: Pick<InputDebloat, 'consumed' | 'closed' | 'update'> & { readonly limits: readonly number[] } = {
  limits: [],
  consumed() {},
  closed() {},
  update() {},
};
