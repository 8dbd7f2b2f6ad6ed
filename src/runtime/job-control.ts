import type { CheckpointStatistics } from '../checkpoint/checkpoint-stats.js';
import { ConfigurationError } from '../errors/sluice-error.js';

/** What a running attempt offers its {@link JobControl}. */
export interface RunningAttempt {
  savepoint(dir: string): Promise<CheckpointStatistics>;
  stop(savepoint: string): void;
}

/**
 * The running job as its Pipeline sees it: savepoints are taken by the current attempt's
 * coordinator.
 */
export class JobControl {
  #attempt: RunningAttempt | undefined;

  /** @internal The attempt now running (undefined between attempts). */
  attach(attempt: RunningAttempt | undefined): void {
    this.#attempt = attempt;
  }

  /** Takes a savepoint into `dir` and resolves with its statistics. */
  async savepoint(dir: string): Promise<CheckpointStatistics> {
    if (!this.#attempt) throw new ConfigurationError('no attempt of this job is running: a savepoint needs a running job with checkpoints enabled');
    return this.#attempt.savepoint(dir);
  }

  /** Takes a savepoint into `dir`, then stops the job; `execute()` resolves with `savepoint` set. */
  async stopWithSavepoint(dir: string): Promise<CheckpointStatistics> {
    const statistics = await this.savepoint(dir);
    this.#attempt?.stop(dir);
    return statistics;
  }
}

