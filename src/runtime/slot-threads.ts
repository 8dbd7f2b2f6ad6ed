import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';

// A CommonJS entry that import()s the subtask code: piscina require()s its filename first, and
// Node 20's require() of an ES module intermittently fails an internal assertion in workers.
const SLOT_ENTRY = fileURLToPath(new URL('./subtask-worker.cjs', import.meta.url));

/** Pools kept idle for the next job, per thread count. More would hold threads no job asks for. */
const MAX_IDLE_POOLS = 2;

const idle: Piscina[] = [];
/** Pools one of whose threads died: never reused. */
const broken = new WeakSet<Piscina>();

/**
 * The worker threads of one job attempt: one per slot, each running one long piscina task.
 *
 * Threads outlive the job that started them: a job that finished cleanly gives its pool back,
 * and the next job with as many slots takes it, with the runtime and the user's modules already
 * loaded in every thread (starting a thread and importing sluice costs tens of milliseconds per
 * thread on a small machine). A pool whose job failed or was cancelled is destroyed: a thread
 * may be stuck in user code or dead. Idle threads do not keep the process alive.
 */
export class SlotThreads {
  readonly pool: Piscina;
  #released = false;

  private constructor(pool: Piscina) {
    this.pool = pool;
  }

  /** Threads for `slots` slots: an idle pool of that size, or a new one. */
  static acquire(slots: number): SlotThreads {
    const index = idle.findIndex((pool) => pool.options.maxThreads === slots);
    if (index >= 0) return new SlotThreads(idle.splice(index, 1)[0]!);
    const pool = new Piscina({
        filename: SLOT_ENTRY,
        minThreads: slots,
        maxThreads: slots,
        // Slots run for the life of the job; piscina must never park a thread that runs one.
        atomics: 'disabled',
        idleTimeout: Number.MAX_SAFE_INTEGER,
        concurrentTasksPerWorker: 1,
    });
    // A thread can die after its task settled (a timer left behind by user code), even while the
    // pool is idle: without a listener piscina's 'error' event would throw in the main thread.
    pool.on('error', () => {
      broken.add(pool);
      const at = idle.indexOf(pool);
      if (at >= 0) void idle.splice(at, 1)[0]!.destroy();
    });
    return new SlotThreads(pool);
  }

  /** Gives the threads back (`reusable`: the job ended cleanly) or destroys them. Idempotent. */
  async release(reusable: boolean): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    if (reusable && !broken.has(this.pool) && this.pool.threads.length === this.pool.options.maxThreads) {
      idle.push(this.pool);
      while (idle.length > MAX_IDLE_POOLS) await idle.shift()!.destroy();
      return;
    }
    await this.pool.destroy();
  }

  /** Destroys the threads at once (a cancelled job whose threads did not stop in time). */
  destroy(): void {
    this.#released = true;
    void this.pool.destroy();
  }
}
