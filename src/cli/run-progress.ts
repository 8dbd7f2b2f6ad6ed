/**
 * What `sluice run` tells the user on stderr while a job runs: each checkpoint as it completes
 * or fails, failures, restarts, restores.
 */
import type { CheckpointStatistics } from '../checkpoint/checkpoint-stats.js';
import type { JobEvent } from '../runtime/job-result.js';
import { assertNever } from '../errors/sluice-error.js';
import { describeCheckpoint, summaryOfStatistics } from './checkpoint-summary.js';
import { formatDurationMs } from './format.js';

/** Progress lines of one run. */
export class RunProgress {
  readonly #write: (line: string) => void;
  /** Most restarts the strategy allows, for `restart 1 of 5`; undefined when unknown. */
  readonly #maxRestarts: number | undefined;
  /** Checkpoint and savepoint ids already reported. */
  readonly #reported = new Set<number>();
  /** Errors that ended an attempt, as reported; the last one is the job's error if it did not restart. */
  readonly failures: Error[] = [];
  /** Ids of the savepoints the run took (they are in the job's checkpoint history too). */
  readonly savepointIds = new Set<number>();
  /** Restarts begun. */
  restarts = 0;

  constructor(write: (line: string) => void, maxRestarts?: number) {
    this.#write = write;
    this.#maxRestarts = maxRestarts;
  }

  /** Reports a savepoint the run took. */
  savepoint(statistics: CheckpointStatistics, dir: string): void {
    this.savepointIds.add(statistics.id);
    this.#report(statistics.id, () => `${describeCheckpoint(summaryOfStatistics(statistics, 'savepoint'))}, in ${dir}`);
  }

  /** Receives the job's events (`execute({ onEvent })`). */
  readonly onEvent = (event: JobEvent): void => {
    switch (event.type) {
      case 'checkpoint':
        // A savepoint is reported with its directory, by savepoint().
        if (event.statistics.kind === 'savepoint') return;
        this.#report(event.statistics.id, () => describeCheckpoint(summaryOfStatistics(event.statistics)));
        return;
      case 'checkpoint-skipped':
        this.#write(`passed over checkpoint ${event.checkpointId}: ${event.message}`);
        return;
      case 'rolled-back':
        this.#write(
          `'${event.operator}' subtask ${event.subtask} set aside ${event.items.length} output item${event.items.length === 1 ? '' : 's'} ` +
            `committed after checkpoint ${event.checkpointId}: ${event.items.join(', ')}`,
        );
        return;
      case 'restored':
        this.#write(`restored the state of checkpoint ${event.checkpointId} from ${event.path}`);
        return;
      case 'failed':
        this.failures.push(event.error);
        this.#write(`attempt ${event.attempt} failed: ${event.error.message}`);
        return;
      case 'restarting':
        this.restarts++;
        this.#write(
          `restarting in ${formatDurationMs(event.delayMs)} (restart ${event.attempt}${this.#maxRestarts === undefined ? '' : ` of at most ${this.#maxRestarts}`})`,
        );
        return;
      default:
        assertNever(event);
    }
  };

  #report(checkpointId: number, line: () => string): void {
    if (this.#reported.has(checkpointId)) return;
    this.#reported.add(checkpointId);
    this.#write(line());
  }
}
