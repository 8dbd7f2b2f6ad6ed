/**
 * Canaries for the concurrency tests: every header word of a ring or doorbell that no slot
 * names is filled with a known pattern before the workers start and checked after they end.
 */
import {
  CAPACITY,
  DOORBELL_BYTES,
  DOORBELL_MAGIC_SLOT,
  DOORBELL_PARKED,
  DOORBELL_PARKS,
  DOORBELL_SEQ,
  IN_FLIGHT_LIMIT,
  LAYOUT_MAGIC,
  MAX_PAYLOAD,
  PRIORITY_LANE_OFFSET,
  PRIORITY_READ,
  PRIORITY_SLOTS,
  PRIORITY_WRITE,
  READER_STATE,
  READ_POS,
  WRITER_STATE,
  WRITE_POS,
} from '../../../native-free-buffers/layout.js';
import { readRingGeometry } from '../../../native-free-buffers/index.js';

const RING_SLOTS = new Set([WRITE_POS, WRITER_STATE, READ_POS, READER_STATE, IN_FLIGHT_LIMIT, PRIORITY_WRITE, PRIORITY_READ, CAPACITY, PRIORITY_SLOTS, LAYOUT_MAGIC, MAX_PAYLOAD]);
const DOORBELL_SLOTS = new Set([DOORBELL_SEQ, DOORBELL_PARKED, DOORBELL_PARKS, DOORBELL_MAGIC_SLOT]);

function canary(index: number): number {
  return (0x5a5a_0000 | index) ^ 0x0f0f;
}

function unnamedWords(words: Int32Array, named: ReadonlySet<number>, skipFrom: number, skipTo: number): number[] {
  const indices: number[] = [];
  for (let i = 0; i < words.length; i++) {
    if (!named.has(i) && !(i >= skipFrom && i < skipTo)) indices.push(i);
  }
  return indices;
}

/** Header words of a ring no one may write: the unnamed words, and the priority lane when it is unused. */
function ringCanaryWords(ring: SharedArrayBuffer, laneUnused: boolean): { words: Int32Array; indices: number[] } {
  const { headerBytes, prioritySlots } = readRingGeometry(ring);
  const words = new Int32Array(ring, 0, headerBytes / 4);
  const laneFrom = PRIORITY_LANE_OFFSET / 4;
  const laneTo = laneUnused ? laneFrom : laneFrom + prioritySlots * 4;
  return { words, indices: unnamedWords(words, RING_SLOTS, laneFrom, laneTo) };
}

/** Fills the ring's unnamed header words, and its priority lane when `laneUnused`; returns how many. */
export function plantRingCanaries(ring: SharedArrayBuffer, laneUnused: boolean): number {
  const { words, indices } = ringCanaryWords(ring, laneUnused);
  for (const i of indices) words[i] = canary(i);
  return indices.length;
}

/** Indices of the ring header words planted by {@link plantRingCanaries} that changed. */
export function damagedRingCanaries(ring: SharedArrayBuffer, laneUnused: boolean): number[] {
  const { words, indices } = ringCanaryWords(ring, laneUnused);
  return indices.filter((i) => words[i] !== canary(i));
}

/** Fills the doorbell's unnamed words. */
export function plantDoorbellCanaries(doorbell: SharedArrayBuffer): number {
  const words = new Int32Array(doorbell, 0, DOORBELL_BYTES / 4);
  const indices = unnamedWords(words, DOORBELL_SLOTS, 0, 0);
  for (const i of indices) words[i] = canary(i);
  return indices.length;
}

/** Indices of the doorbell words planted by {@link plantDoorbellCanaries} that changed. */
export function damagedDoorbellCanaries(doorbell: SharedArrayBuffer): number[] {
  const words = new Int32Array(doorbell, 0, DOORBELL_BYTES / 4);
  return unnamedWords(words, DOORBELL_SLOTS, 0, 0).filter((i) => words[i] !== canary(i));
}
