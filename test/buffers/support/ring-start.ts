/**
 * Puts a fresh ring in the state a ring is in after it carried `position` bytes: both
 * positions at `position` (empty), as a writer and a reader that restart on it would find it.
 * This is how the tests reach the uint32 wrap of the free-running positions without writing 4 GiB.
 */
import { READ_POS, WRITE_POS } from '../../../native-free-buffers/layout.js';

export function startRingAt(ring: SharedArrayBuffer, position: number): void {
  if (position % 8 !== 0) throw new RangeError(`ring positions are 8-byte aligned, got ${position}`);
  const header = new Int32Array(ring, 0, 32);
  Atomics.store(header, WRITE_POS, position | 0);
  Atomics.store(header, READ_POS, position | 0);
}

/** A position `before` bytes short of the uint32 wrap (2^32). */
export function beforeWrap(before: number): number {
  return (2 ** 32 - before) >>> 0;
}
