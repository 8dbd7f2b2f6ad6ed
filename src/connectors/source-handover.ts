/**
 * The shared words between a main-thread iterable source's feeder (main thread) and its
 * worker-side source: the start handshake of each attempt, and the log of the positions its
 * checkpoints hold.
 *
 * | offset | size | name | meaning | written by |
 * |---|---|---|---|---|
 * | 0 | 4 | `REQUEST_SEQ` | number of start requests made (one per attempt) | worker |
 * | 4 | 4 | `ANSWER_SEQ` | the request last answered | main |
 * | 8 | 4 | `ANSWER_STATUS` | `ACCEPTED` or `REFUSED` | main |
 * | 16 | 8 | `REQUEST_POSITION` | the record the attempt starts at (float64) | worker |
 * | 64 | 4 × 64 | snapshot log ids | checkpoint id of each log entry (entry = id mod 64) | worker |
 * | 320 | 8 × 64 | snapshot log positions | the position that checkpoint holds (float64) | worker |
 *
 * A log entry is written position first, id last; a reader loads the id, the position and the id
 * again, and trusts the position only when both loads give the id it looks for.
 */
const REQUEST_SEQ = 0;
const ANSWER_SEQ = 1;
const ANSWER_STATUS = 2;
/** Float64 index of the requested position (byte 16). */
const REQUEST_POSITION = 2;
const LOG_ENTRIES = 64;
const LOG_IDS_OFFSET = 64;
const LOG_POSITIONS_OFFSET = LOG_IDS_OFFSET + 4 * LOG_ENTRIES;
const HANDOVER_BYTES = LOG_POSITIONS_OFFSET + 8 * LOG_ENTRIES;

/** The feeder can start the attempt where it asked. */
export const ACCEPTED = 1;
/** The feeder cannot; it failed the job with the reason. */
export const REFUSED = 2;

/** Allocates the shared words of one source. */
export function allocateHandover(): SharedArrayBuffer {
  return new SharedArrayBuffer(HANDOVER_BYTES);
}

/** Both sides' view of the shared words. */
export class Handover {
  readonly #words: Int32Array;
  readonly #floats: Float64Array;
  readonly #logIds: Int32Array;
  readonly #logPositions: Float64Array;

  constructor(buffer: SharedArrayBuffer) {
    this.#words = new Int32Array(buffer, 0, 4);
    this.#floats = new Float64Array(buffer, 0, 3);
    this.#logIds = new Int32Array(buffer, LOG_IDS_OFFSET, LOG_ENTRIES);
    this.#logPositions = new Float64Array(buffer, LOG_POSITIONS_OFFSET, LOG_ENTRIES);
  }

  /** Worker: asks to start at record `position`; returns the request's number. */
  request(position: number): number {
    this.#floats[REQUEST_POSITION] = position;
    const seq = Atomics.load(this.#words, REQUEST_SEQ) + 1;
    Atomics.store(this.#words, REQUEST_SEQ, seq); // publish: the position is visible with it
    return seq;
  }

  /** Main: the request not answered yet, if any. */
  pendingRequest(): { readonly seq: number; readonly position: number } | undefined {
    const seq = Atomics.load(this.#words, REQUEST_SEQ);
    if (seq === Atomics.load(this.#words, ANSWER_SEQ)) return undefined;
    return { seq, position: this.#floats[REQUEST_POSITION]! };
  }

  /**
   * Main: answers request `seq`. When it accepts, it writes a marker frame whose id is `seq` into
   * the ring: the attempt's records follow it, and what an earlier attempt left before it is
   * skipped.
   */
  answer(seq: number, status: typeof ACCEPTED | typeof REFUSED): void {
    Atomics.store(this.#words, ANSWER_STATUS, status);
    Atomics.store(this.#words, ANSWER_SEQ, seq); // publish: the status is visible with it
  }

  /** Worker: the answer to request `seq` (`ACCEPTED` or `REFUSED`), once there is one. */
  answerTo(seq: number): number | undefined {
    if (Atomics.load(this.#words, ANSWER_SEQ) !== seq) return undefined;
    return Atomics.load(this.#words, ANSWER_STATUS);
  }

  /** Worker: checkpoint `checkpointId` holds `position`. */
  logSnapshot(checkpointId: number, position: number): void {
    const entry = checkpointId % LOG_ENTRIES;
    Atomics.store(this.#logIds, entry, 0);
    this.#logPositions[entry] = position;
    Atomics.store(this.#logIds, entry, checkpointId); // publish: the position is visible with it
  }

  /** Main: the position checkpoint `checkpointId` holds, if the log still has it. */
  snapshotPosition(checkpointId: number): number | undefined {
    const entry = checkpointId % LOG_ENTRIES;
    if (Atomics.load(this.#logIds, entry) !== checkpointId) return undefined;
    const position = this.#logPositions[entry]!;
    return Atomics.load(this.#logIds, entry) === checkpointId ? position : undefined;
  }
}
