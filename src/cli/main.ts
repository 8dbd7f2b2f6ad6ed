#!/usr/bin/env node
/**
 * The `sluice` command: dispatches to its commands and turns their errors into messages and
 * exit codes. See help.ts for the whole surface.
 *
 *   sluice run <job-module | example> [options] [--<job option> value ...]
 *   sluice checkpoints list <dir> [--json]
 *   sluice checkpoints inspect <path> [--json]
 *   sluice bench [--scenario ...] [--modes ...] [--duration ms] [--channel-bytes ...] [--full] [--json] [--out dir]
 */
import { SluiceError } from '../errors/sluice-error.js';
import { benchCli } from './bench-cli.js';
import { checkpointsCommand } from './checkpoints-command.js';
import { MAIN_HELP } from './help.js';
import { runCommand } from './run-command.js';
import { UsageError } from './usage-error.js';

/** Exit codes: 0 done, 1 the job failed, 2 bad usage or configuration (nothing ran), 130 cancelled. */
async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
      process.stderr.write(MAIN_HELP);
      return 2;
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(MAIN_HELP);
      return 0;
    case 'run':
      return runCommand(rest);
    case 'checkpoints':
      return checkpointsCommand(rest);
    case 'bench':
      return benchCli(rest);
    default:
      throw new UsageError('', `unknown command '${command}'; the commands are run, checkpoints and bench`);
  }
}

/** The exit code for an error a command threw. */
function exitCodeOf(error: SluiceError): number {
  switch (error.code) {
    case 'SLUICE_JOB_CANCELLED':
      return 130;
    case 'SLUICE_USAGE':
    case 'SLUICE_CONFIGURATION':
    // Nothing ran: the checkpoint directory cannot be used, is in use, or holds nothing to restore.
    case 'SLUICE_CHECKPOINT_STORAGE':
    case 'SLUICE_CHECKPOINT_DIR_LOCKED':
    case 'SLUICE_NO_RESTORABLE_CHECKPOINT':
    case 'SLUICE_NON_RESTORED_STATE':
      return 2;
    default:
      return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      const where = error.command ? ` ${error.command}` : '';
      process.stderr.write(`sluice${where}: ${error.message}\n(see 'sluice${where} --help')\n`);
    } else if (error instanceof SluiceError) {
      process.stderr.write(`sluice: ${error.message}\n`);
      if (error.cause instanceof Error) process.stderr.write(`  caused by: ${error.cause.message}\n`);
    } else {
      process.stderr.write(`sluice: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    }
    process.exitCode = error instanceof SluiceError ? exitCodeOf(error) : 1;
  },
);
