/** `sluice bench`: parses its options and runs the benchmark (src/bench). */
import type { BenchOptions } from '../bench/bench-command.js';
import { benchCommand, parseBytes, parseList } from '../bench/bench-command.js';
import { BENCH_MODES } from '../bench/lib/index.js';
import { ConfigurationError } from '../errors/sluice-error.js';
import { parseArguments } from './arguments.js';
import { BENCH_HELP } from './help.js';
import { UsageError } from './usage-error.js';

/** `--debloat-target <ms|off>`: a positive number of milliseconds or 'off'. */
function parseDebloatTarget(text: string): number | 'off' {
  if (text === 'off') return 'off';
  const value = Number(text);
  if (!(Number.isFinite(value) && value > 0)) throw new ConfigurationError(`--debloat-target takes a positive number of milliseconds or 'off', got ${text}`);
  return value;
}

/** Runs `sluice bench [options]`. */
export async function benchCli(args: readonly string[]): Promise<number> {
  const parsed = parseArguments('bench', args, { booleanFlags: new Set(['help', 'json', 'full', 'micro']) });
  if (parsed.takeBoolean('help')) {
    process.stdout.write(BENCH_HELP);
    return 0;
  }
  if (parsed.positionals.length > 0) throw new UsageError('bench', `unexpected argument '${parsed.positionals[0]}'`);
  const scenario = parsed.takeString('scenario', '<name,...>');
  const modes = parsed.takeString('modes', '<mode,...>');
  const channelBytes = parsed.takeString('channel-bytes', '<size,...>');
  const duration = parsed.takeInteger('duration', '<ms>', 100);
  const out = parsed.takeString('out', '<dir>');
  const json = parsed.takeBoolean('json');
  const full = parsed.takeBoolean('full');
  const micro = parsed.takeBoolean('micro');
  const ctbParallelism = parsed.takeInteger('ctb-parallelism', '<n>', 1);
  const ctbSinkSleep = parsed.takeInteger('ctb-sink-sleep', '<ms>', 0);
  const debloatText = parsed.takeString('debloat-target', '<ms|off>');
  parsed.rejectRemaining();
  try {
    const options: BenchOptions = {
      scenarios: scenario ? parseList(scenario, ['backpressure', 'flink-ctb', 'throughput', 'recovery'] as const, 'scenario') : undefined,
      modes: modes ? parseList(modes, BENCH_MODES, 'mode') : undefined,
      channelBytes: channelBytes ? channelBytes.split(',').map(parseBytes) : undefined,
      durationMs: duration,
      out,
      json,
      full,
      micro,
      ...(ctbParallelism === undefined ? {} : { ctbParallelism }),
      ...(ctbSinkSleep === undefined ? {} : { ctbSinkSleepMs: ctbSinkSleep }),
      ...(debloatText === undefined ? {} : { debloatTargetMs: parseDebloatTarget(debloatText) }),
    };
    for (const size of options.channelBytes ?? []) {
      if (size < 4096 || (size & (size - 1)) !== 0) throw new ConfigurationError(`--channel-bytes: ${size} is not a power of two of at least 4 KiB`);
    }
    return await benchCommand(options);
  } catch (error) {
    if (error instanceof ConfigurationError) throw new UsageError('bench', error.message);
    throw error;
  }
}
