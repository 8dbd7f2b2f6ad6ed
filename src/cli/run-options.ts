/**
 * `sluice run`'s flags, parsed and checked into what `pipeline.execute()` takes. Everything that
 * can be checked without the job is checked here, with messages that name the flag and say what
 * to add or change; what needs the job (operator names, the restore point) is checked by the run
 * command.
 */
import { randomInt } from 'node:crypto';
import { CHECKPOINT_MODES } from '../checkpoint/checkpoint-mode.js';
import type { CheckpointMode } from '../checkpoint/checkpoint-mode.js';
import type { CheckpointOptions, RestartStrategy } from '../checkpoint/checkpoint-config.js';
import { DEFAULT_CHECKPOINTED_RESTART, resolveCheckpointConfig } from '../checkpoint/checkpoint-config.js';
import { mistypedSluiceFlag } from './flag-suggestions.js';
import type { InjectedFault } from '../runtime/deployment.js';
import type { FlagValue, ParsedArguments } from './arguments.js';
import { parseArguments } from './arguments.js';
import { DEFAULT_INJECT_MAX_RECORDS, FAULT_SPEC_FORM, parseFaultSpec } from './fault-plan.js';
import { UsageError } from './usage-error.js';

/** Which failures to inject. */
export type FaultRequest =
  | { readonly type: 'none' }
  /** `--inject-failures N [--seed S]`: drawn once the job's operators are known. */
  | { readonly type: 'random'; readonly failures: number; readonly seed: number; readonly seedGiven: boolean; readonly maxRecords: number }
  /** `--inject-failure <spec>`, repeated. */
  | { readonly type: 'explicit'; readonly faults: readonly InjectedFault[] };

/** A `sluice run` command line, checked. */
export interface RunConfiguration {
  /** The job module's path or example name, as given. */
  readonly specifier: string;
  readonly parallelism: number;
  /** Options for the job module (every flag sluice does not own, and `--seed`). */
  readonly jobOptions: Readonly<Record<string, FlagValue>>;
  readonly checkpoints?: CheckpointOptions;
  readonly restore?: 'latest' | string;
  readonly restart?: RestartStrategy;
  /** `--start-fresh`: with `--restore latest`, start from the beginning when every checkpoint is damaged. */
  readonly startFresh?: boolean;
  /** `--allow-non-restored-state`: drop checkpoint state that no operator of the job takes. */
  readonly allowNonRestoredState?: boolean;
  /** `--savepoint-on-exit`: where a signal's stop-with-savepoint writes. */
  readonly savepointOnExit?: string;
  /** `--debloat-target <ms|off>`: buffer debloating target, overriding the job's. */
  readonly debloatTargetMs?: number | 'off';
  readonly faults: FaultRequest;
  /** The arguments after `run`, as given: the resume command is built from them. */
  readonly args: readonly string[];
}

/** Every flag `sluice run` owns, for suggestions when one is mistyped. */
const RUN_FLAGS = [
  'help', 'parallelism', 'checkpoint-mode', 'checkpoint-interval', 'checkpoint-dir', 'checkpoint-timeout', 'alignment-timeout', 'retain',
  'restore', 'start-fresh', 'allow-non-restored-state', 'savepoint-on-exit', 'inject-failures', 'inject-failure', 'inject-max-records',
  'restart', 'restart-attempts', 'restart-delay', 'restart-max-delay', 'debloat-target',
] as const;

/** Flags that configure checkpoints and so need `--checkpoint-mode`. */
const CHECKPOINT_FLAGS = ['checkpoint-interval', 'checkpoint-dir', 'checkpoint-timeout', 'alignment-timeout', 'retain'] as const;

const RESTART_STRATEGIES = ['none', 'fixed-delay', 'exponential-backoff'] as const;
const DEFAULT_RESTART_ATTEMPTS = 3;
const DEFAULT_RESTART_DELAY_MS = 1000;
/** Restarts after injected failures come quickly: the point is to exercise recovery. */
const INJECTED_RESTART_DELAY_MS = 100;
/** Restart attempts beyond the injected failures, for failures the test did not plan. */
const INJECTED_RESTART_SPARE_ATTEMPTS = 3;
const DEFAULT_RESTART_MAX_DELAY_MS = 60_000;

/** Flags of `sluice run` that a resume command must not repeat (with their values). */
const NOT_REPEATED_ON_RESUME = new Set(['restore', 'savepoint-on-exit', 'inject-failures', 'inject-failure', 'inject-max-records']);

/** A suggestion for the mode flag, for messages. */
const ADD_MODE = `add --checkpoint-mode <${CHECKPOINT_MODES.join('|')}> (aligned is the usual choice)`;

/** Parses the arguments after `sluice run`; `'help'` when `--help` was asked for. */
export function parseRunArguments(args: readonly string[]): RunConfiguration | 'help' {
  const parsed = parseArguments('run', args, { booleanFlags: new Set(['help', 'start-fresh', 'allow-non-restored-state']) });
  if (parsed.takeBoolean('help')) return 'help';

  const [specifier, ...extra] = parsed.positionals;
  if (specifier === undefined) throw new UsageError('run', 'give the job module to run: sluice run <job-module.js | example> [options]');
  if (extra.length > 0) throw new UsageError('run', `give exactly one job module, got also: ${extra.join(' ')} (options are written --<name> <value>)`);
  const parallelism = parsed.takeInteger('parallelism', '<n>', 1) ?? 1;

  const checkpoints = parseCheckpointFlags(parsed);
  const restoreText = parsed.takeString('restore', 'latest|<checkpoint or savepoint path>');
  if (restoreText === 'latest' && !checkpoints) {
    throw new UsageError('run', `--restore latest looks in the checkpoint directory: ${ADD_MODE} and the --checkpoint-dir of the earlier run`);
  }
  const savepointOnExit = parsed.takeString('savepoint-on-exit', '<dir>');
  if (savepointOnExit !== undefined && !checkpoints) {
    throw new UsageError('run', `--savepoint-on-exit needs checkpoints, as a savepoint is taken like one: ${ADD_MODE}`);
  }

  const faults = parseFaultFlags(parsed);
  if (faults.type !== 'none' && !checkpoints) {
    const flag = faults.type === 'random' ? '--inject-failures' : '--inject-failure';
    throw new UsageError('run', `${flag} needs checkpoints, for the job to recover from the failures: ${ADD_MODE}`);
  }
  const failures = faults.type === 'random' ? faults.failures : faults.type === 'explicit' ? faults.faults.length : 0;
  const restart = parseRestartFlags(parsed, failures) ?? (checkpoints ? DEFAULT_CHECKPOINTED_RESTART : undefined);
  const startFresh = parsed.takeBoolean('start-fresh');
  const allowNonRestoredState = parsed.takeBoolean('allow-non-restored-state');
  if (startFresh && restoreText !== 'latest') throw new UsageError('run', '--start-fresh applies to --restore latest only (it says what to do when every checkpoint is damaged)');
  if (allowNonRestoredState && restoreText === undefined) throw new UsageError('run', '--allow-non-restored-state applies to a restore: add --restore latest or --restore <path>');
  const debloatText = parsed.takeString('debloat-target', '<ms|off>');
  let debloatTargetMs: number | 'off' | undefined;
  if (debloatText !== undefined) {
    debloatTargetMs = debloatText === 'off' ? 'off' : Number(debloatText);
    if (debloatTargetMs !== 'off' && !(Number.isFinite(debloatTargetMs) && debloatTargetMs > 0)) {
      throw new UsageError('run', `--debloat-target takes a positive number of milliseconds or 'off', got ${debloatText}`);
    }
  }
  const jobOptions = parsed.remaining();
  for (const name of Object.keys(jobOptions)) {
    if (name === 'seed' && faults.type === 'random') continue;
    const problem = mistypedSluiceFlag(name, RUN_FLAGS);
    if (problem) throw new UsageError('run', `${problem} (flags sluice does not know are passed to the job module; if it is your job's option, rename it)`);
  }

  return {
    specifier,
    parallelism,
    jobOptions,
    checkpoints,
    restore: restoreText,
    restart,
    startFresh,
    allowNonRestoredState,
    savepointOnExit,
    ...(debloatTargetMs === undefined ? {} : { debloatTargetMs }),
    faults,
    args,
  };
}

function parseCheckpointFlags(parsed: ParsedArguments): CheckpointOptions | undefined {
  const modeText = parsed.takeString('checkpoint-mode', `<${CHECKPOINT_MODES.join('|')}>`);
  if (modeText === undefined) {
    const given = CHECKPOINT_FLAGS.find((flag) => parsed.has(flag));
    if (given) throw new UsageError('run', `--${given} configures checkpoints, which are off: ${ADD_MODE}`);
    return undefined;
  }
  if (!(CHECKPOINT_MODES as readonly string[]).includes(modeText)) {
    throw new UsageError('run', `--checkpoint-mode must be one of ${CHECKPOINT_MODES.join(', ')}; got '${modeText}'`);
  }
  const mode = modeText as CheckpointMode;
  const intervalMs = parsed.takeInteger('checkpoint-interval', '<ms>', 1);
  const dir = parsed.takeString('checkpoint-dir', '<dir>');
  const timeoutMs = parsed.takeInteger('checkpoint-timeout', '<ms>', 1);
  const alignmentTimeoutMs = parsed.takeInteger('alignment-timeout', '<ms>', 0);
  const retain = parsed.takeInteger('retain', '<n>', 1);
  if (alignmentTimeoutMs !== undefined && mode !== 'aligned-timeout') {
    throw new UsageError('run', `--alignment-timeout applies to --checkpoint-mode aligned-timeout only; the mode is ${mode}`);
  }
  const options: CheckpointOptions = { mode, intervalMs, dir, timeoutMs, alignmentTimeoutMs, retain };
  // Drop the flags not given, so the engine's defaults apply.
  const defined = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as unknown as CheckpointOptions;
  resolveCheckpointConfig(defined);
  return defined;
}

function parseFaultFlags(parsed: ParsedArguments): FaultRequest {
  const failures = parsed.takeInteger('inject-failures', '<n>', 1);
  const specs = parsed.takeAll('inject-failure', FAULT_SPEC_FORM);
  const maxRecords = parsed.takeInteger('inject-max-records', '<n>', 1);
  if (failures !== undefined && specs.length > 0) {
    throw new UsageError('run', '--inject-failures draws failures at random, --inject-failure names them: use one or the other');
  }
  if (maxRecords !== undefined && failures === undefined) {
    throw new UsageError('run', '--inject-max-records bounds the record counts that --inject-failures draws: add --inject-failures <n>');
  }
  if (specs.length > 0) return { type: 'explicit', faults: specs.map(parseFaultSpec) };
  if (failures === undefined) return { type: 'none' };
  // --seed stays in the job's options too: a job may seed its data with it.
  const seedValue = parsed.peek('seed');
  if (seedValue === true) throw new UsageError('run', '--seed needs a value: --seed <integer>');
  let seed: number;
  if (seedValue === undefined) {
    seed = randomInt(0, 2 ** 31);
  } else {
    seed = Number(seedValue);
    if (seedValue.trim() === '' || !Number.isSafeInteger(seed)) throw new UsageError('run', `--seed must be an integer, got '${seedValue}'`);
  }
  return { type: 'random', failures, seed, seedGiven: seedValue !== undefined, maxRecords: maxRecords ?? DEFAULT_INJECT_MAX_RECORDS };
}

function parseRestartFlags(parsed: ParsedArguments, injectedFailures: number): RestartStrategy | undefined {
  const type = parsed.takeString('restart', `<${RESTART_STRATEGIES.join('|')}>`);
  const attempts = parsed.takeInteger('restart-attempts', '<n>', 1);
  const delayMs = parsed.takeInteger('restart-delay', '<ms>', 0);
  const maxDelayMs = parsed.takeInteger('restart-max-delay', '<ms>', 0);
  const injecting = injectedFailures > 0;
  const given = [attempts !== undefined && '--restart-attempts', delayMs !== undefined && '--restart-delay', maxDelayMs !== undefined && '--restart-max-delay'].filter(
    (flag): flag is string => flag !== false,
  );
  if (type !== undefined && !(RESTART_STRATEGIES as readonly string[]).includes(type)) {
    throw new UsageError('run', `--restart must be one of ${RESTART_STRATEGIES.join(', ')}; got '${type}'`);
  }
  const strategy = type ?? (injecting ? 'fixed-delay' : undefined);
  if (strategy === undefined) {
    if (given.length > 0) throw new UsageError('run', `${given[0]} configures restarts, which are off: add --restart fixed-delay (or exponential-backoff)`);
    return undefined;
  }
  const defaultAttempts = injecting ? injectedFailures + INJECTED_RESTART_SPARE_ATTEMPTS : DEFAULT_RESTART_ATTEMPTS;
  const defaultDelayMs = injecting ? INJECTED_RESTART_DELAY_MS : DEFAULT_RESTART_DELAY_MS;
  switch (strategy) {
    case 'none':
      if (given.length > 0) throw new UsageError('run', `${given[0]} configures restarts, but --restart is none: drop it, or choose fixed-delay or exponential-backoff`);
      return { type: 'none' };
    case 'fixed-delay':
      if (maxDelayMs !== undefined) throw new UsageError('run', '--restart-max-delay applies to --restart exponential-backoff only');
      return { type: 'fixed-delay', attempts: attempts ?? defaultAttempts, delayMs: delayMs ?? defaultDelayMs };
    case 'exponential-backoff': {
      const initialDelayMs = delayMs ?? defaultDelayMs;
      const maxDelay = maxDelayMs ?? Math.max(DEFAULT_RESTART_MAX_DELAY_MS, initialDelayMs);
      if (maxDelay < initialDelayMs) {
        throw new UsageError('run', `--restart-max-delay (${maxDelay} ms) must be at least --restart-delay (${initialDelayMs} ms)`);
      }
      return { type: 'exponential-backoff', attempts: attempts ?? defaultAttempts, initialDelayMs, maxDelayMs: maxDelay };
    }
    default:
      throw new UsageError('run', `--restart must be one of ${RESTART_STRATEGIES.join(', ')}; got '${strategy}'`);
  }
}

/**
 * The arguments of a command that resumes this run from `savepoint`: the same module and
 * options, without `--restore`, `--savepoint-on-exit` and fault injection, plus `--restore <savepoint>`.
 */
export function resumeArguments(args: readonly string[], savepoint: string): string[] {
  const kept: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      kept.push(...args.slice(i));
      break;
    }
    const name = arg.startsWith('--') ? arg.slice(2).split('=')[0]! : undefined;
    if (name === undefined || !NOT_REPEATED_ON_RESUME.has(name)) {
      kept.push(arg);
      continue;
    }
    // Skip its value too, the way the parser took it.
    if (!arg.includes('=') && i + 1 < args.length && !args[i + 1]!.startsWith('--')) i++;
  }
  const end = kept.indexOf('--');
  const restore = ['--restore', savepoint];
  return end < 0 ? [...kept, ...restore] : [...kept.slice(0, end), ...restore, ...kept.slice(end)];
}
