/**
 * `sluice checkpoints list <dir>` and `sluice checkpoints inspect <path>`: what a checkpoint
 * directory holds, and whether a checkpoint or savepoint can still be restored.
 */
import { parseArguments } from './arguments.js';
import { inspectCheckpoint } from './checkpoints-inspect.js';
import { listCheckpoints } from './checkpoints-list.js';
import { CHECKPOINTS_HELP } from './help.js';
import { UsageError } from './usage-error.js';

/** Runs `sluice checkpoints <list|inspect> ...`; resolves to the exit code. */
export async function checkpointsCommand(args: readonly string[]): Promise<number> {
  const parsed = parseArguments('checkpoints', args, { booleanFlags: new Set(['help', 'json']) });
  const help = parsed.takeBoolean('help');
  const json = parsed.takeBoolean('json');
  parsed.rejectRemaining();
  const [subcommand, target, ...extra] = parsed.positionals;
  if (help) {
    process.stdout.write(CHECKPOINTS_HELP);
    return 0;
  }
  if (subcommand === undefined) {
    process.stderr.write(CHECKPOINTS_HELP);
    return 2;
  }
  if (subcommand !== 'list' && subcommand !== 'inspect') {
    throw new UsageError('checkpoints', `unknown subcommand '${subcommand}': use 'sluice checkpoints list <dir>' or 'sluice checkpoints inspect <path>'`);
  }
  if (target === undefined) {
    throw new UsageError('checkpoints', subcommand === 'list' ? 'give the checkpoint directory: sluice checkpoints list <dir>' : 'give the checkpoint or savepoint: sluice checkpoints inspect <path>');
  }
  if (extra.length > 0) throw new UsageError('checkpoints', `give one ${subcommand === 'list' ? 'directory' : 'path'}, got also: ${extra.join(' ')}`);
  return subcommand === 'list' ? listCheckpoints(target, json) : inspectCheckpoint(target, json);
}
