/**
 * How a job takes checkpoints.
 * - `aligned`: exactly-once; barriers travel in-band and a subtask blocks each input on which
 *   the barrier arrived until it has arrived on all.
 * - `unaligned`: exactly-once; barriers overtake queued data on the priority lane and the
 *   in-flight data is persisted as channel state.
 * - `aligned-timeout`: starts aligned, switches to unaligned when alignment takes longer than
 *   the timeout (counted from the checkpoint's trigger).
 * - `at-least-once`: barriers never block; no channel state; records may be replayed twice.
 */
export type CheckpointMode = 'aligned' | 'unaligned' | 'aligned-timeout' | 'at-least-once';

/** Every checkpoint mode, in the order reports list them. */
export const CHECKPOINT_MODES: readonly CheckpointMode[] = ['aligned', 'unaligned', 'aligned-timeout', 'at-least-once'];

/** Priority-lane message kinds: a barrier announcement. */
export const ANNOUNCE_ALIGNED = 1;
/** An announcement of a barrier that travels unaligned (no in-band barrier frame follows). */
export const ANNOUNCE_UNALIGNED = 2;
