import { ConfigurationError } from '../errors/sluice-error.js';

/**
 * Job-wide settings: what `new Pipeline(options)` takes (exported there as
 * `PipelineOptions`), and what the planner and the job manager read once resolved.
 */
export interface JobSettings {
  /** Name of the job, used in messages and checkpoint paths. Default 'job'. */
  readonly name?: string;
  /** Default parallelism of every operator. Default 1. */
  readonly parallelism?: number;
  /** Number of key groups; the most any keyed operator's parallelism can be. Default 128. */
  readonly maxParallelism?: number;
  /** Bytes of each channel ring's data region, a power of two. Default 1 MiB. */
  readonly channelBytes?: number;
  /**
   * Buffer debloating: each input channel keeps about this many milliseconds of its consumer's
   * throughput in flight (within the ring's capacity and a minimum of 4 KiB; batches shrink to a quarter of the limit), so aligned
   * barriers wait about that long behind queued data and unaligned checkpoints persist about that
   * much. `'off'` uses the whole ring. Default 1000, as Flink's buffer-debloat target.
   */
  readonly debloatTargetMs?: number | 'off';
}

/** Job settings with every default filled in and every value checked. */
export type ResolvedJobSettings = Required<JobSettings>;

/** The defaults of {@link JobSettings}. */
export const JOB_SETTING_DEFAULTS: ResolvedJobSettings = Object.freeze({
  name: 'job',
  parallelism: 1,
  maxParallelism: 128,
  channelBytes: 1 << 20,
  debloatTargetMs: 1000,
});

/** Checks an optional parallelism: undefined, or a positive integer. */
export function checkParallelism(value: unknown, what: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new ConfigurationError(`${what} must be a positive integer, got ${String(value)}`);
  }
  return value;
}

/**
 * Fills in the defaults and checks every setting.
 *
 * @throws ConfigurationError naming the setting that is invalid.
 */
export function resolveJobSettings(options: JobSettings = {}): ResolvedJobSettings {
  const maxParallelism = checkParallelism(options.maxParallelism, 'options.maxParallelism') ?? JOB_SETTING_DEFAULTS.maxParallelism;
  const parallelism = checkParallelism(options.parallelism, 'options.parallelism') ?? JOB_SETTING_DEFAULTS.parallelism;
  if (parallelism > maxParallelism) {
    throw new ConfigurationError(`options.parallelism (${parallelism}) exceeds options.maxParallelism (${maxParallelism})`);
  }
  const channelBytes = options.channelBytes ?? JOB_SETTING_DEFAULTS.channelBytes;
  if (!Number.isInteger(channelBytes) || channelBytes < 4096 || (channelBytes & (channelBytes - 1)) !== 0) {
    throw new ConfigurationError(`options.channelBytes must be a power of two of at least 4096, got ${String(channelBytes)}`);
  }
  const name = options.name ?? JOB_SETTING_DEFAULTS.name;
  if (!/^[A-Za-z0-9._-]+$/.test(name)) {
    throw new ConfigurationError(`options.name may hold letters, digits, '.', '_' and '-' only, got '${name}'`);
  }
  const debloatTargetMs = options.debloatTargetMs ?? JOB_SETTING_DEFAULTS.debloatTargetMs;
  if (debloatTargetMs !== 'off' && !(typeof debloatTargetMs === 'number' && Number.isFinite(debloatTargetMs) && debloatTargetMs > 0)) {
    throw new ConfigurationError(`options.debloatTargetMs must be a positive number of milliseconds or 'off', got ${String(debloatTargetMs)}`);
  }
  return { name, parallelism, maxParallelism, channelBytes, debloatTargetMs };
}
