/**
 * Whether a job's failure comes from its data and so happens again on every restart (a malformed
 * input line, a record too large for a channel): telling the user to add restarts cannot help.
 */

/** Error codes of failures that a restart meets again at the same record. */
const DETERMINISTIC_CODES = new Set(['SLUICE_MALFORMED_INPUT']);
/** Messages of such failures that carry no code. */
const DETERMINISTIC_MESSAGES = [/exceeds the channel's frame limit/];

/** What a restart cannot fix about `error` (its cause chain searched), or undefined when a restart may help. */
export function deterministicFailure(error: unknown): string | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 6; current = current.cause, depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && DETERMINISTIC_CODES.has(code)) return 'the input holds a malformed record';
    if (DETERMINISTIC_MESSAGES.some((pattern) => pattern.test(current instanceof Error ? current.message : ''))) return 'a record is larger than a channel frame';
  }
  return undefined;
}
