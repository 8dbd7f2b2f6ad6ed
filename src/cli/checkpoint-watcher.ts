/**
 * Watches a job's checkpoint directory for checkpoints as they complete, so `sluice run` can
 * report each one while the job runs: the engine reports an attempt's checkpoints through
 * `onEvent` only when the attempt ends. A checkpoint exists once its `_metadata` does (it is
 * renamed into place), so a directory without one is still being written and is looked at again.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { checkpointDirectoryName, parseCheckpointDirectoryName } from '../storage/layout.js';
import { readCheckpointMetadata } from '../storage/metadata.js';
import type { CheckpointMetadata } from '../storage/metadata.js';

/** Time between two looks at the directory, in ms. */
export const CHECKPOINT_WATCH_INTERVAL_MS = 100;

/** Reports the checkpoints that complete in a job's checkpoint directory after {@link start}. */
export class CheckpointWatcher {
  readonly #jobDir: string;
  readonly #onCheckpoint: (metadata: CheckpointMetadata) => void;
  /** Ids already reported, or present before the watch began. */
  readonly #seen = new Set<number>();
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  #polling: Promise<void> = Promise.resolve();

  constructor(jobDir: string, onCheckpoint: (metadata: CheckpointMetadata) => void) {
    this.#jobDir = jobDir;
    this.#onCheckpoint = onCheckpoint;
  }

  /** Notes the checkpoints already there (an earlier run's), then looks every {@link CHECKPOINT_WATCH_INTERVAL_MS}. */
  async start(): Promise<void> {
    for (const checkpointId of await this.#checkpointIds()) this.#seen.add(checkpointId);
    this.#schedule();
  }

  /** Stops looking, after the look in progress. Idempotent. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#polling;
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#polling = this.#poll().finally(() => this.#schedule());
    }, CHECKPOINT_WATCH_INTERVAL_MS);
    // Progress output must never keep the process alive.
    this.#timer.unref();
  }

  async #poll(): Promise<void> {
    for (const checkpointId of await this.#checkpointIds()) {
      if (this.#stopped) return;
      if (this.#seen.has(checkpointId)) continue;
      let metadata: CheckpointMetadata;
      try {
        ({ metadata } = await readCheckpointMetadata(path.join(this.#jobDir, checkpointDirectoryName(checkpointId))));
      } catch {
        continue; // not complete yet, deleted by retention meanwhile, or damaged: the job's own report covers it
      }
      this.#seen.add(checkpointId);
      this.#onCheckpoint(metadata);
    }
  }

  async #checkpointIds(): Promise<number[]> {
    let names: string[];
    try {
      names = await readdir(this.#jobDir);
    } catch {
      return [];
    }
    return names
      .map(parseCheckpointDirectoryName)
      .filter((checkpointId): checkpointId is number => checkpointId !== undefined)
      .sort((a, b) => a - b);
  }
}
