#!/usr/bin/env node
/**
 * The `sluice` command.
 *
 *   sluice run <job-module | example> [--parallelism N] [--<job option> value ...]
 */
import { SluiceError } from '../errors/sluice-error.js';
import { loadJob, resolveJobModule } from './job-module.js';

const USAGE = `usage: sluice <command> [options]

commands:
  run <job-module | example> [--parallelism N] [--<option> <value> ...]
      Runs a job. <job-module> is a compiled .js module whose default export builds a
      Pipeline; bundled examples: word-count (--input <text file> --output <file>).

options:
  -h, --help     show this help
`;

/**
 * Splits `--name value`, `--name=value` and `--flag` options from positionals. Job options
 * are the job module's own, so they cannot be declared here.
 */
function parseOptions(args: readonly string[]): { values: Record<string, string | boolean>; positionals: string[] } {
  const values: Record<string, string | boolean> = {};
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('--') || arg === '--') {
      positionals.push(arg);
      continue;
    }
    const equals = arg.indexOf('=');
    if (equals > 0) {
      values[arg.slice(2, equals)] = arg.slice(equals + 1);
    } else if (i + 1 < args.length && !args[i + 1]!.startsWith('--')) {
      values[arg.slice(2)] = args[++i]!;
    } else {
      values[arg.slice(2)] = true;
    }
  }
  return { values, positionals };
}

/** Exit codes: 0 done, 1 the job failed, 2 bad usage or configuration, 130 cancelled. */
async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '-h' || command === '--help') {
    process.stdout.write(USAGE);
    return command === undefined ? 2 : 0;
  }
  if (command !== 'run') {
    process.stderr.write(`sluice: unknown command '${command}'\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parseOptions(rest);
  const [specifier, ...extra] = positionals;
  if (!specifier || extra.length > 0) {
    process.stderr.write(`sluice run: give exactly one job module${extra.length ? `, got also: ${extra.join(' ')}` : ''}\n\n${USAGE}`);
    return 2;
  }
  const { parallelism: rawParallelism, ...options } = values;
  const parallelism = rawParallelism === undefined ? 1 : Number(rawParallelism);
  if (!Number.isInteger(parallelism) || parallelism < 1) {
    process.stderr.write(`sluice run: --parallelism must be a positive integer, got ${String(rawParallelism)}\n`);
    return 2;
  }
  const pipeline = await loadJob(resolveJobModule(specifier), { parallelism, options });
  const controller = new AbortController();
  const onSignal = () => {
    process.stderr.write('sluice: cancelling the job...\n');
    controller.abort(new Error('interrupted'));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const result = await pipeline.execute({ signal: controller.signal });
  const seconds = result.durationMs / 1000;
  process.stderr.write(`sluice: job ${result.jobId} finished in ${seconds.toFixed(2)} s\n`);
  for (const stats of Object.values(result.operators)) {
    process.stderr.write(
      `  ${stats.name.padEnd(24)} ${stats.kind.padEnd(8)} x${stats.parallelism}  in ${stats.recordsIn}  out ${stats.recordsOut}\n`,
    );
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof SluiceError) {
      process.stderr.write(`sluice: ${error.message}\n`);
      if (error.cause instanceof Error) process.stderr.write(`  caused by: ${error.cause.message}\n`);
      process.exitCode = error.code === 'SLUICE_JOB_CANCELLED' ? 130 : error.code === 'SLUICE_CONFIGURATION' ? 2 : 1;
      return;
    }
    process.stderr.write(`sluice: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
