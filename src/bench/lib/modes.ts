/** The checkpoint modes a benchmark runs, from the engine's own list plus the baseline. */
import { CHECKPOINT_MODES } from '../../checkpoint/checkpoint-mode.js';
import type { CheckpointMode } from '../../checkpoint/checkpoint-mode.js';

/** How a benchmark run took checkpoints; `off` is the baseline without checkpoints. */
export type BenchMode = 'off' | CheckpointMode;

/** Every bench mode, baseline first, in the order reports list them. */
export const BENCH_MODES: readonly BenchMode[] = ['off', ...CHECKPOINT_MODES];
