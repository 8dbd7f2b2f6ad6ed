import os from 'node:os';
import path from 'node:path';
import { ConfigurationError } from '../errors/sluice-error.js';
import { MAX_ZSTD_LEVEL } from '../storage/zstd.js';
import type { CheckpointMode } from './checkpoint-mode.js';
import { CHECKPOINT_MODES } from './checkpoint-mode.js';

/** How a job takes checkpoints (`pipeline.execute({ checkpoints })`). */
export interface CheckpointOptions {
  /** The mode; see {@link CheckpointMode}. */
  readonly mode: CheckpointMode;
  /** Time between triggers, in ms. Default 1000. */
  readonly intervalMs?: number;
  /** A checkpoint not complete after this long is aborted, in ms. Default 60000. */
  readonly timeoutMs?: number;
  /** Checkpoints in progress at once. Default 1; unaligned checkpoints run one at a time. */
  readonly maxConcurrent?: number;
  /** Least time from one checkpoint's end to the next trigger, in ms. Default 0. */
  readonly minPauseMs?: number;
  /**
   * Checkpoints that may fail in a row (declined, timed out, not writable: a completed one resets
   * the count) before the job's attempt fails and its restart strategy applies, as in Flink.
   * Default 3; Infinity never fails the job for checkpoints.
   */
  readonly tolerableFailures?: number;
  /** Completed checkpoints kept on disk. Default 2, so a corrupt newest one has a fallback. */
  readonly retain?: number;
  /** Where checkpoints are written: `<dir>/<job>/chk-<n>/`. Default: sluice-checkpoints in the system temp dir. */
  readonly dir?: string;
  /** Aligned-with-timeout: alignment time, from the trigger, after which a checkpoint goes unaligned, in ms. Default 100. */
  readonly alignmentTimeoutMs?: number;
  /** zstd level of snapshot files (1 to 9: higher levels do not fit the codec's fixed heap). Default 1. */
  readonly compressionLevel?: number;
}

/** Consecutive checkpoint failures tolerated unless `tolerableFailures` says otherwise. */
export const DEFAULT_TOLERABLE_FAILURES = 3;

/** Checkpoint options with every default filled in. */
export type CheckpointConfig = Required<CheckpointOptions>;

/** The default checkpoint directory. */
export function defaultCheckpointDir(): string {
  return path.join(os.tmpdir(), 'sluice-checkpoints');
}

function number(options: CheckpointOptions, name: keyof CheckpointOptions, fallback: number, min: number, integer = true): number {
  const value = options[name] ?? fallback;
  const ok = typeof value === 'number' && (value === Infinity || (integer ? Number.isInteger(value) : Number.isFinite(value))) && value >= min;
  if (!ok) {
    throw new ConfigurationError(`checkpoints.${name} must be ${integer ? 'an integer' : 'a number'} >= ${min}, got ${String(value)}`);
  }
  return value as number;
}

/** Validates checkpoint options and fills in defaults; throws a ConfigurationError that says why. */
export function resolveCheckpointConfig(options: CheckpointOptions): CheckpointConfig {
  if (options === null || typeof options !== 'object') throw new ConfigurationError('checkpoints must be an object such as { mode: "aligned" }');
  if (!CHECKPOINT_MODES.includes(options.mode)) {
    throw new ConfigurationError(`checkpoints.mode must be one of ${CHECKPOINT_MODES.join(', ')}; got ${String(options.mode)}`);
  }
  const config: CheckpointConfig = {
    mode: options.mode,
    intervalMs: number(options, 'intervalMs', 1000, 1),
    timeoutMs: number(options, 'timeoutMs', 60_000, 1),
    maxConcurrent: number(options, 'maxConcurrent', 1, 1),
    minPauseMs: number(options, 'minPauseMs', 0, 0),
    tolerableFailures: number(options, 'tolerableFailures', DEFAULT_TOLERABLE_FAILURES, 0),
    retain: number(options, 'retain', 2, 1),
    dir: options.dir ?? defaultCheckpointDir(),
    alignmentTimeoutMs: number(options, 'alignmentTimeoutMs', 100, 0),
    compressionLevel: number(options, 'compressionLevel', 1, 1),
  };
  if (config.compressionLevel > MAX_ZSTD_LEVEL) {
    throw new ConfigurationError(
      `checkpoints.compressionLevel must be 1 to ${MAX_ZSTD_LEVEL} (higher levels do not fit the zstd codec's 16 MiB heap), got ${config.compressionLevel}`,
    );
  }
  if (config.maxConcurrent > 1 && (config.mode === 'unaligned' || config.mode === 'aligned-timeout')) {
    throw new ConfigurationError(
      `checkpoints.maxConcurrent is ${config.maxConcurrent}, but ${config.mode} checkpoints run one at a time ` +
        '(their in-flight data is recorded per checkpoint, as in Flink); set maxConcurrent to 1',
    );
  }
  if (options.alignmentTimeoutMs !== undefined && config.mode !== 'aligned-timeout') {
    throw new ConfigurationError(`checkpoints.alignmentTimeoutMs applies to mode 'aligned-timeout' only; the mode is '${config.mode}'`);
  }
  if (typeof config.dir !== 'string' || config.dir.length === 0) throw new ConfigurationError('checkpoints.dir must be a non-empty path');
  return config;
}

/** How a failed job restarts. */
export type RestartStrategy =
  | { readonly type: 'none' }
  | { readonly type: 'fixed-delay'; readonly attempts: number; readonly delayMs: number }
  | {
      readonly type: 'exponential-backoff';
      readonly attempts: number;
      readonly initialDelayMs: number;
      readonly maxDelayMs: number;
      readonly multiplier?: number;
    };

/**
 * The restart strategy of a job that takes checkpoints and sets none: fixed-delay, 3 attempts,
 * 1 s apart. (Flink's default is fixed-delay with unlimited attempts; a bounded number lets a
 * job that fails deterministically end with its error instead of restarting forever.)
 */
export const DEFAULT_CHECKPOINTED_RESTART: RestartStrategy = Object.freeze({ type: 'fixed-delay', attempts: 3, delayMs: 1000 });

/** Validates a restart strategy; throws a ConfigurationError that says why. */
export function resolveRestartStrategy(strategy: RestartStrategy | undefined): RestartStrategy {
  if (strategy === undefined) return { type: 'none' };
  const positive = (name: string, value: unknown, min = 0) => {
    if (typeof value !== 'number' || !(Number.isInteger(value) || value === Infinity) || value < min) {
      throw new ConfigurationError(`restart.${name} must be an integer >= ${min}, got ${String(value)}`);
    }
  };
  switch (strategy.type) {
    case 'none':
      return strategy;
    case 'fixed-delay':
      positive('attempts', strategy.attempts, 1);
      positive('delayMs', strategy.delayMs);
      return strategy;
    case 'exponential-backoff':
      positive('attempts', strategy.attempts, 1);
      positive('initialDelayMs', strategy.initialDelayMs);
      positive('maxDelayMs', strategy.maxDelayMs);
      if (strategy.multiplier !== undefined && !(strategy.multiplier >= 1)) {
        throw new ConfigurationError(`restart.multiplier must be >= 1, got ${String(strategy.multiplier)}`);
      }
      return strategy;
    default:
      throw new ConfigurationError(
        `restart.type must be 'none', 'fixed-delay' or 'exponential-backoff', got ${String((strategy as { type?: unknown }).type)}`,
      );
  }
}

/** The delay before restart number `restart` (1 = the first), or undefined when no restart is left. */
export function restartDelayMs(strategy: RestartStrategy, restart: number): number | undefined {
  switch (strategy.type) {
    case 'none':
      return undefined;
    case 'fixed-delay':
      return restart <= strategy.attempts ? strategy.delayMs : undefined;
    case 'exponential-backoff': {
      if (restart > strategy.attempts) return undefined;
      const delay = strategy.initialDelayMs * (strategy.multiplier ?? 2) ** (restart - 1);
      return Math.min(delay, strategy.maxDelayMs);
    }
  }
}
