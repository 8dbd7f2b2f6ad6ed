/**
 * Marks the threads that run subtasks. A subtask's worker imports the user's operator modules to
 * find their functions; a module that also builds and executes its job at top level would then
 * start the job again inside the worker. `execute()` checks the mark and says what to do instead.
 */

const MARK = Symbol.for('sluice.subtaskWorker');

/** Marks this thread as one that runs subtasks (called once, by the subtask entry). */
export function markSubtaskWorker(): void {
  (globalThis as Record<symbol, unknown>)[MARK] = true;
}

/** Whether this thread runs subtasks. */
export function isSubtaskWorker(): boolean {
  return (globalThis as Record<symbol, unknown>)[MARK] === true;
}
