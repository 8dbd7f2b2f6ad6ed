/**
 * A request, from code that runs inside a slot's synchronous loop, for the slot to yield to its
 * event loop after the current subtask's step instead of at its regular yield (every few
 * milliseconds): promise continuations and messages posted from them wait for that yield. An
 * acknowledgement of a checkpoint is packed in such a continuation, and the checkpoint cannot
 * complete before it reaches the job manager. One flag per thread, as a thread runs one slot.
 */
let requested = false;

/** Asks the slot to yield to the event loop once the current step returns. */
export function requestEventLoopTurn(): void {
  requested = true;
}

/** Whether a turn was requested since the last call; clears the request. */
export function takeEventLoopTurnRequest(): boolean {
  const was = requested;
  requested = false;
  return was;
}
