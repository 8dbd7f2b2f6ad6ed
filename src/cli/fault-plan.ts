/**
 * Failures for `sluice run` to inject: parsed from `--inject-failure` specs, or drawn by a seeded
 * PRNG for `--inject-failures N --seed S`, and checked against the job's operators.
 */
import type { Pipeline } from '../api/pipeline.js';
import type { OperatorKind } from '../plan/logical-graph.js';
import type { InjectedFault } from '../runtime/deployment.js';
import { UsageError } from './usage-error.js';

/** A checkpoint phase a fault can strike at. */
export type FaultCheckpointPhase = NonNullable<InjectedFault['atCheckpoint']>['phase'];

/** Every checkpoint phase, in the order a subtask goes through them. */
export const FAULT_CHECKPOINT_PHASES: readonly FaultCheckpointPhase[] = ['before-snapshot', 'after-snapshot', 'after-ack'];

/** The form of an `--inject-failure` value, for help and error messages. */
export const FAULT_SPEC_FORM = '<operator>:<subtask>:<throw|exit>:<trigger>[:<attempt>]';

/** Examples of `--inject-failure` values, for error messages. */
export const FAULT_SPEC_EXAMPLES = "'count:0:throw:after-records=500' or 'write:1:exit:after-snapshot=2:1'";

/**
 * Default upper end of the random `afterRecords` of `--inject-failures` (`--inject-max-records`).
 * Large enough that a failure usually strikes after the attempt completed a checkpoint, so the
 * next attempt restores one; a job whose subtasks see fewer records may see fewer failures.
 */
export const DEFAULT_INJECT_MAX_RECORDS = 10_000;

/** An operator a fault can be injected into: a named node of the job's logical graph. */
export interface FaultTarget {
  readonly name: string;
  readonly kind: OperatorKind;
  /** Its parallelism, with the pipeline's default filled in. */
  readonly parallelism: number;
}

/** The operators of `pipeline` that run code (every node but unions), with their parallelism. */
export function faultTargets(pipeline: Pipeline): FaultTarget[] {
  return pipeline.nodes
    .filter((node) => node.kind !== 'union')
    .map((node) => ({ name: node.name, kind: node.kind, parallelism: node.parallelism ?? pipeline.options.parallelism }));
}

/**
 * mulberry32: a small, fast 32-bit PRNG with good statistical quality for its size. Returns a
 * function that yields floats in [0, 1), the same sequence for the same seed on every platform.
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Options of {@link randomFaultPlan}. */
export interface RandomFaultPlanOptions {
  /** Failures to draw; failure i strikes in attempt i, so each restart meets the next one. */
  readonly failures: number;
  readonly seed: number;
  /** `afterRecords` is drawn from [1, maxRecords]. */
  readonly maxRecords: number;
}

/**
 * Draws `failures` faults with a seeded PRNG. Each strikes a random operator that is not a
 * source (sinks included), a random subtask of it, in attempt i; kinds alternate `throw`, `exit`;
 * the trigger is, with even odds, a record count in [1, maxRecords] or a random checkpoint phase
 * (of the first checkpoint of that attempt). The same targets, seed and counts give the same plan.
 */
export function randomFaultPlan(targets: readonly FaultTarget[], options: RandomFaultPlanOptions): InjectedFault[] {
  const candidates = targets.filter((target) => target.kind !== 'source');
  if (candidates.length === 0) throw new RangeError('the job has no operator but its sources to inject failures into');
  const random = mulberry32(options.seed);
  const below = (n: number) => Math.min(n - 1, Math.floor(random() * n));
  const plan: InjectedFault[] = [];
  for (let attempt = 0; attempt < options.failures; attempt++) {
    const target = candidates[below(candidates.length)]!;
    const subtask = below(target.parallelism);
    const kind = attempt % 2 === 0 ? 'throw' : 'exit';
    if (random() < 0.5) {
      plan.push({ operator: target.name, subtask, kind, attempt, afterRecords: 1 + below(options.maxRecords) });
    } else {
      plan.push({ operator: target.name, subtask, kind, attempt, atCheckpoint: { phase: FAULT_CHECKPOINT_PHASES[below(FAULT_CHECKPOINT_PHASES.length)]! } });
    }
  }
  return plan;
}

const COUNT = /^(0|[1-9][0-9]*)$/;

/**
 * Parses an `--inject-failure` value, {@link FAULT_SPEC_FORM}, where the trigger is
 * `after-records=<N>` or a checkpoint phase (`before-snapshot`, `after-snapshot`, `after-ack`),
 * optionally `=<checkpoint id>`, and the attempt defaults to 0. Fields are read from the right,
 * so an operator name may hold ':'. Throws a UsageError that says which field is wrong.
 */
export function parseFaultSpec(spec: string): InjectedFault {
  const fail = (problem: string): never => {
    throw new UsageError('run', `--inject-failure '${spec}': ${problem}; the form is ${FAULT_SPEC_FORM}, e.g. ${FAULT_SPEC_EXAMPLES}`);
  };
  const fields = spec.split(':');
  if (fields.length < 4) fail(`it has ${fields.length} field${fields.length === 1 ? '' : 's'}, it needs 4 or 5`);
  let attempt = 0;
  if (fields.length >= 5 && COUNT.test(fields[fields.length - 1]!)) attempt = Number(fields.pop());
  const trigger = fields.pop()!;
  const kind = fields.pop()!;
  const subtaskText = fields.pop()!;
  const operator = fields.join(':');
  if (operator.length === 0) fail('the operator name is empty');
  if (!COUNT.test(subtaskText) || !Number.isSafeInteger(Number(subtaskText))) fail(`the subtask '${subtaskText}' must be a subtask index (0, 1, ...)`);
  if (kind !== 'throw' && kind !== 'exit') fail(`the kind '${kind}' must be 'throw' (the operator throws) or 'exit' (its worker thread exits)`);
  const subtask = Number(subtaskText);
  const [triggerName, triggerValue, ...extra] = trigger.split('=');
  const number = (what: string, min: number): number => {
    const value = Number(triggerValue);
    if (triggerValue === undefined || extra.length > 0 || !COUNT.test(triggerValue) || !Number.isSafeInteger(value) || value < min) {
      fail(`in the trigger '${trigger}', ${what} must be an integer >= ${min}`);
    }
    return value;
  };
  const base = { operator, subtask, kind: kind as InjectedFault['kind'], attempt };
  if (triggerName === 'after-records') return { ...base, afterRecords: number('the record count', 1) };
  const phase = FAULT_CHECKPOINT_PHASES.find((candidate) => candidate === triggerName);
  if (phase === undefined) {
    return fail(`the trigger '${trigger}' must be after-records=<N> or a checkpoint phase (${FAULT_CHECKPOINT_PHASES.join(', ')}), optionally =<checkpoint id>`);
  }
  return triggerValue === undefined ? { ...base, atCheckpoint: { phase } } : { ...base, atCheckpoint: { phase, checkpointId: number('the checkpoint id', 1) } };
}

/** Checks that every fault names an operator of the job and one of its subtasks; throws a UsageError that lists them. */
export function checkFaults(faults: readonly InjectedFault[], targets: readonly FaultTarget[]): void {
  for (const fault of faults) {
    const target = targets.find((candidate) => candidate.name === fault.operator);
    if (!target) {
      const names = targets.map((candidate) => `'${candidate.name}'`).join(', ');
      throw new UsageError('run', `--inject-failure: the job has no operator '${fault.operator}'; its operators are ${names}`);
    }
    if (fault.subtask >= target.parallelism) {
      throw new UsageError(
        'run',
        `--inject-failure: operator '${fault.operator}' has parallelism ${target.parallelism}, so its subtasks are 0 to ${target.parallelism - 1}; got subtask ${fault.subtask}`,
      );
    }
  }
}

/** One fault as a line of the plan: `attempt 1: 'count' subtask 0 exits at after-ack of the attempt's first checkpoint`. */
export function describeFault(fault: InjectedFault): string {
  const what = fault.kind === 'throw' ? 'throws' : 'exits (its worker thread ends)';
  let when: string;
  if (fault.afterRecords !== undefined) {
    when = `after ${fault.afterRecords} records`;
  } else if (fault.atCheckpoint) {
    const checkpoint = fault.atCheckpoint.checkpointId === undefined ? "the attempt's first checkpoint" : `checkpoint ${fault.atCheckpoint.checkpointId}`;
    when = `at ${fault.atCheckpoint.phase} of ${checkpoint}`;
  } else {
    when = 'never (no trigger)';
  }
  return `attempt ${fault.attempt ?? 0}: '${fault.operator}' subtask ${fault.subtask} ${what} ${when}`;
}
