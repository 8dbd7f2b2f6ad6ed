/**
 * `sluice run`: loads a job module, runs it with the checkpoints, restore, restarts and injected
 * failures the flags ask for, reports progress on stderr, and on SIGINT/SIGTERM cancels the job
 * or, with `--savepoint-on-exit`, stops it with a savepoint and prints how to resume.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Pipeline } from '../api/pipeline.js';
import type { CheckpointConfig, RestartStrategy } from '../checkpoint/checkpoint-config.js';
import { resolveCheckpointConfig } from '../checkpoint/checkpoint-config.js';
import { JobCancelledError, JobFailedError } from '../errors/sluice-error.js';
import type { InjectedFault } from '../runtime/deployment.js';
import type { JobResult } from '../runtime/job-result.js';
import { CheckpointStorage } from '../storage/checkpoint-storage.js';
import { checkCheckpointStorage } from '../storage/storage-check.js';
import { readCheckpointMetadata } from '../storage/metadata.js';
import { CheckpointMetadataError } from '../storage/storage-errors.js';
import { deterministicFailure } from './failure-kind.js';
import { checkFaults, describeFault, faultTargets, randomFaultPlan } from './fault-plan.js';
import { shellCommand } from './format.js';
import { RUN_HELP } from './help.js';
import { loadJob, resolveJobModule } from './job-module.js';
import type { FaultRequest, RunConfiguration } from './run-options.js';
import { parseRunArguments, resumeArguments } from './run-options.js';
import { RunProgress } from './run-progress.js';
import { UsageError } from './usage-error.js';

/** A line on stderr, prefixed like every message of the command. */
function say(line: string): void {
  process.stderr.write(`sluice: ${line}\n`);
}

/** Runs `sluice run <args>`; resolves to the exit code, or rejects with an error for main to report. */
export async function runCommand(args: readonly string[]): Promise<number> {
  const config = parseRunArguments(args);
  if (config === 'help') {
    process.stdout.write(RUN_HELP);
    return 0;
  }
  const pipeline = await loadJob(resolveJobModule(config.specifier), { parallelism: config.parallelism, options: config.jobOptions });
  const faults = planFaults(config.faults, pipeline);
  const checkpoints = config.checkpoints ? resolveCheckpointConfig(config.checkpoints) : undefined;
  const storage = checkpoints ? new CheckpointStorage({ checkpointDir: checkpoints.dir, job: pipeline.options.name }) : undefined;
  const savepointDir = config.savepointOnExit === undefined ? undefined : path.resolve(config.savepointOnExit);
  if (savepointDir !== undefined) await checkSavepointDirectory(savepointDir);
  if (config.restore !== undefined && config.restore !== 'latest') await checkRestorePoint(config.restore, pipeline.options.name);
  if (checkpoints && storage) {
    await checkCheckpointStorage(storage.jobDir);
    await announceCheckpoints(checkpoints, storage, config.restore);
  }

  const progress = new RunProgress(say, maxRestarts(config.restart));
  const controller = new AbortController();
  let executing = true;
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    if (++signals === 1 && savepointDir !== undefined) {
      say(`${signal}: stopping the job with a savepoint into ${savepointDir} (${signal} again cancels it)`);
      pipeline.stopWithSavepoint(savepointDir).then(
        (statistics) => progress.savepoint(statistics, savepointDir),
        (error: unknown) => {
          const reason = error instanceof Error ? error.message : String(error);
          const running = executing && !controller.signal.aborted;
          say(`could not take the savepoint: ${reason}${running ? `; the job keeps running (${signal} again cancels it)` : ''}`);
        },
      );
      return;
    }
    say(`${signal}: cancelling the job...`);
    controller.abort(new Error(`interrupted by ${signal}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let result: JobResult;
  try {
    result = await pipeline.execute({
      signal: controller.signal,
      checkpoints: config.checkpoints,
      restore: config.restore,
      restart: config.restart,
      startFresh: config.startFresh,
      allowNonRestoredState: config.allowNonRestoredState,
      ...(config.debloatTargetMs === undefined ? {} : { debloatTargetMs: config.debloatTargetMs }),
      faults,
      onEvent: progress.onEvent,
    });
  } catch (error) {
    if (error instanceof JobCancelledError || !progress.failures.includes(error as Error)) throw error;
    // The failure was reported as it happened; say why the job did not recover from it.
    say(`the job failed${progress.restarts > 0 ? ` after ${progress.restarts} restart${progress.restarts === 1 ? '' : 's'}` : ''}${recoveryHint(error, config)}`);
    return 1;
  } finally {
    executing = false;
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }

  const seconds = (result.durationMs / 1000).toFixed(2);
  if (result.savepoint !== undefined) {
    say(`job ${result.jobId} stopped with a savepoint after ${seconds} s: ${result.savepoint}`);
    say(`resume it with:\n  ${shellCommand(['sluice', 'run', ...resumeArguments(config.args, result.savepoint)])}`);
  } else {
    say(`job ${result.jobId} finished in ${seconds} s`);
    for (const stats of Object.values(result.operators)) {
      process.stderr.write(`  ${stats.name.padEnd(24)} ${stats.kind.padEnd(8)} x${stats.parallelism}  in ${stats.recordsIn}  out ${stats.recordsOut}\n`);
    }
  }
  process.stderr.write(`  ${runTotals(result, progress, faults, checkpoints !== undefined)}\n`);
  return 0;
}

/** The faults to inject: checked against the job's operators, or drawn for it; the plan is printed. */
function planFaults(request: FaultRequest, pipeline: Pipeline): InjectedFault[] | undefined {
  const targets = faultTargets(pipeline);
  let faults: InjectedFault[];
  switch (request.type) {
    case 'none':
      return undefined;
    case 'explicit':
      checkFaults(request.faults, targets);
      faults = [...request.faults];
      say(`injecting ${faults.length} failure${faults.length === 1 ? '' : 's'}:`);
      break;
    case 'random': {
      faults = randomFaultPlan(targets, { failures: request.failures, seed: request.seed, maxRecords: request.maxRecords });
      const repeat = request.seedGiven ? '' : `; --seed ${request.seed} repeats this plan`;
      say(`injecting ${faults.length} failure${faults.length === 1 ? '' : 's'}, seed ${request.seed}${repeat}:`);
      break;
    }
  }
  for (const fault of faults) process.stderr.write(`  ${describeFault(fault)}\n`);
  return faults;
}

/** A savepoint goes into a new or empty directory: say so now rather than at Ctrl-C. */
async function checkSavepointDirectory(dir: string): Promise<void> {
  let entries: string[];
  try {
    if (!(await stat(dir)).isDirectory()) throw new UsageError('run', `--savepoint-on-exit ${dir}: it exists and is not a directory; name a new or empty directory`);
    entries = await readdir(dir);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    return; // absent: the savepoint creates it
  }
  if (entries.length > 0) {
    throw new UsageError('run', `--savepoint-on-exit ${dir}: the directory is not empty (${entries.length} ${entries.length === 1 ? 'entry' : 'entries'}); name a new or empty directory`);
  }
}

/** Says where checkpoints go, and what is already there. */
async function announceCheckpoints(checkpoints: CheckpointConfig, storage: CheckpointStorage, restore: string | undefined): Promise<void> {
  const alignment = checkpoints.mode === 'aligned-timeout' ? ` (unaligned after ${checkpoints.alignmentTimeoutMs} ms)` : '';
  say(`checkpoints: ${checkpoints.mode}${alignment} every ${checkpoints.intervalMs} ms into ${storage.jobDir}, keeping ${checkpoints.retain}`);
  const existing = await storage.list();
  const latest = existing[existing.length - 1];
  if (restore === 'latest' && !latest) {
    say(`--restore latest: ${storage.jobDir} holds no completed checkpoint; the job starts from the beginning`);
  } else if (restore === undefined && latest) {
    say(`note: ${storage.jobDir} holds checkpoints of an earlier run (latest ${latest.checkpointId}); this run starts from the beginning (--restore latest resumes from them)`);
  }
}

/** `--restore <path>` must name a checkpoint or savepoint: a bad path is a usage error, found before the job starts. */
async function checkRestorePoint(location: string, job: string): Promise<void> {
  try {
    const { metadata, dir } = await readCheckpointMetadata(location);
    if (metadata.job !== job) say(`note: ${dir} is a ${metadata.kind} of job '${metadata.job}'; this job is '${job}'`);
  } catch (error) {
    if (error instanceof CheckpointMetadataError) throw new UsageError('run', `--restore: ${error.message}`, { cause: error });
    throw error;
  }
}

function maxRestarts(restart: RestartStrategy | undefined): number | undefined {
  return restart === undefined || restart.type === 'none' ? undefined : restart.attempts;
}

/** Why a failed job did not recover, and what would let it. */
function recoveryHint(error: unknown, config: RunConfiguration): string {
  if (!(error instanceof JobFailedError)) return '';
  const deterministic = deterministicFailure(error);
  if (deterministic !== undefined) {
    return `: ${deterministic}, and a restart would meet it again at the same place; fix the input or the job (restarts cannot help)`;
  }
  const restarts = maxRestarts(config.restart);
  if (restarts === undefined) {
    return config.checkpoints
      ? '; add --restart fixed-delay to restart it from its latest checkpoint'
      : '; add --checkpoint-mode aligned --restart fixed-delay to restart it from its latest checkpoint';
  }
  return `: it used up the ${restarts} restart${restarts === 1 ? '' : 's'} that --restart-attempts allows`;
}

/** The last line of a run: checkpoints, failures, restarts. */
function runTotals(result: JobResult, progress: RunProgress, faults: readonly InjectedFault[] | undefined, checkpointing: boolean): string {
  const periodic = result.checkpoints.filter((statistics) => !progress.savepointIds.has(statistics.id));
  const completed = periodic.filter((statistics) => statistics.status === 'completed').length;
  const checkpoints = checkpointing ? `${completed} completed, ${periodic.length - completed} failed` : 'off';
  let line = `checkpoints: ${checkpoints}; failures: ${progress.failures.length}; restarts: ${result.restarts}`;
  if (faults && faults.length > progress.failures.length) {
    const missed = faults.length - progress.failures.length;
    line += ` (${missed} injected failure${missed === 1 ? '' : 's'} never struck: the trigger was not reached before the job ended)`;
  }
  return line;
}
