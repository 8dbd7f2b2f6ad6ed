/**
 * The piscina task of a subtask: one call per subtask, running for the life of the job.
 * Started from the compiled file (dist/src/runtime/subtask-entry.js).
 */
import type { SubtaskDeployment, SubtaskOutcome } from './deployment.js';
import { Subtask } from './subtask.js';
import { markSubtaskWorker } from './worker-marker.js';

markSubtaskWorker();

/** Runs the subtask described by `deployment` to its end. */
export default async function runSubtask(deployment: SubtaskDeployment): Promise<SubtaskOutcome> {
  return new Subtask(deployment).run();
}
