/**
 * The limit the ring is read against: one thread copying `size`-byte blocks from a reused
 * buffer into a SharedArrayBuffer as large as the rings, contiguously (8-byte aligned), as
 * the producer of a ring does for each message. One tinybench Bench, run once per round.
 */
import { Bench } from 'tinybench';
import { makePayload } from './protocol.js';

/** Bytes copied by one call of a task function (many blocks, so the timer's cost is negligible). */
const BYTES_PER_ITERATION = 256 * 1024;

/** Copies of each block size into one SharedArrayBuffer, measured by one tinybench Bench. */
export class MemcpyBench {
  /** Block sizes, bytes, in the order {@link runOnce} reports them. */
  readonly blockSizes: readonly number[];
  readonly #bench: Bench;

  /**
   * @param blockSizes bytes of the blocks to copy
   * @param targetBytes bytes of the destination SharedArrayBuffer, a power of two
   * @param timeMs time budget of each task in one run
   */
  constructor(blockSizes: readonly number[], targetBytes: number, timeMs: number) {
    this.blockSizes = blockSizes;
    const target = new Uint8Array(new SharedArrayBuffer(targetBytes));
    const mask = targetBytes - 1;
    this.#bench = new Bench({ name: 'memcpy into a SharedArrayBuffer', time: timeMs, warmupTime: Math.min(100, timeMs), throws: true });
    for (const blockBytes of blockSizes) {
      const source = makePayload(blockBytes);
      const blocks = BYTES_PER_ITERATION / blockBytes;
      let offset = 0;
      this.#bench.add(String(blockBytes), () => {
        for (let i = 0; i < blocks; i++) {
          target.set(source, offset);
          offset = (offset + blockBytes) & mask;
        }
      });
    }
  }

  /** Runs every task once; returns GB/s (10^9 bytes per second) of the median call, per block size. */
  async runOnce(): Promise<number[]> {
    this.#bench.reset();
    const tasks = await this.#bench.run();
    return tasks.map((task) => {
      const result = task.result;
      if (result.state !== 'completed') throw new Error(`memcpy task ${task.name} ended in state ${result.state}`);
      // Latency is in milliseconds per call of the task function. The median call, not the mean:
      // a call during which another process held the core says nothing about copying.
      return BYTES_PER_ITERATION / result.latency.p50 / 1e6;
    });
  }
}
