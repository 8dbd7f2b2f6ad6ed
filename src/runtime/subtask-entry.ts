/**
 * The piscina task of a slot: one call per slot (worker thread), running for the life of the
 * job. Started from the compiled file (dist/src/runtime/subtask-entry.js).
 */
import type { SlotDeployment, SubtaskOutcome } from './deployment.js';
import { Slot } from './slot.js';
import { markSubtaskWorker } from './worker-marker.js';

markSubtaskWorker();

/** Runs the subtasks of the slot described by `deployment` to their end. */
export default async function runSlot(deployment: SlotDeployment): Promise<SubtaskOutcome[]> {
  return new Slot(deployment).run();
}
