/** The `sluice` command's help texts: the whole command-line surface, in one place. */
import { resolveCheckpointConfig } from '../checkpoint/checkpoint-config.js';
import { CHECKPOINT_MODES } from '../checkpoint/checkpoint-mode.js';
import { DEFAULT_INJECT_MAX_RECORDS, FAULT_SPEC_FORM } from './fault-plan.js';

/** The engine's checkpoint defaults, so the help cannot drift from them. */
const CHECKPOINT_DEFAULTS = resolveCheckpointConfig({ mode: 'aligned-timeout' });

/** `sluice --help`. */
export const MAIN_HELP = `usage: sluice <command> [options]

commands:
  run <job-module | example> [options] [--<job option> <value> ...]
      Runs a job, optionally with checkpoints, restarts, a savepoint on exit and
      injected failures. See 'sluice run --help'.
  checkpoints list <dir> [--json]
      Lists the completed checkpoints under a checkpoint directory.
  checkpoints inspect <path> [--json]
      Shows a checkpoint's or savepoint's metadata and statistics, and verifies its files.
      See 'sluice checkpoints --help'.
  bench [options]
      Measures what aligned, unaligned, aligned-timeout and at-least-once checkpoints cost
      under backpressure on this machine, and writes a report. See 'sluice bench --help'.

options:
  -h, --help     show this help

exit codes: 0 done, 1 the job failed (or a checkpoint is damaged), 2 bad usage or
configuration, 130 cancelled.
`;

/** `sluice run --help`. */
export const RUN_HELP = `usage: sluice run <job-module | example> [options] [--<job option> <value> ...]

Runs a job. <job-module> is a compiled .js module whose default export builds a Pipeline:
  export default function (args: { parallelism, options }): Pipeline
Bundled examples: word-count (--input <text file> --output <file>);
sessions (--input <ndjson events> [--output <file>] [--gap-ms <ms>]
[--max-out-of-order-ms <ms>] [--late-output <file>]): event-time session windows.
Options sluice does not know are the job's own: they go to the module in args.options.

job:
  --parallelism <n>               default parallelism of the job's operators (default 1)

checkpoints (off unless --checkpoint-mode is given; the other flags need it):
  --checkpoint-mode <mode>        ${CHECKPOINT_MODES.join(' | ')}
  --checkpoint-interval <ms>      time between checkpoints (default ${CHECKPOINT_DEFAULTS.intervalMs})
  --checkpoint-dir <dir>          checkpoint root; checkpoints go to <dir>/<job>/chk-<n>/
                                  (default ${CHECKPOINT_DEFAULTS.dir})
  --checkpoint-timeout <ms>       abort a checkpoint not complete after this long (default ${CHECKPOINT_DEFAULTS.timeoutMs})
  --alignment-timeout <ms>        aligned-timeout mode: go unaligned when alignment takes this
                                  long from the trigger (default ${CHECKPOINT_DEFAULTS.alignmentTimeoutMs})
  --retain <n>                    completed checkpoints to keep (default ${CHECKPOINT_DEFAULTS.retain})
                                  Checkpoints that fail ${CHECKPOINT_DEFAULTS.tolerableFailures + 1} times in a row (declined, timed out,
                                  not writable) fail the attempt, and the restart strategy applies.
                                  One run at a time may use a job's checkpoint directory (<dir>/<job>/_lock).

in-flight data:
  --debloat-target <ms|off>       buffer debloating: keep about <ms> of each consumer's
                                  throughput in flight per channel (at least 4 KiB, at most the
                                  ring), so aligned barriers wait about that long and unaligned
                                  checkpoints persist about that much (default: the job's, 1000;
                                  off: the whole ring)

restore and restart:
  --restore latest|<path>         start from the newest valid checkpoint in the checkpoint
                                  directory (latest: needs --checkpoint-mode and the same
                                  --checkpoint-dir), or from a checkpoint or savepoint directory.
                                  State is matched by operator uid; output committed after the
                                  restored checkpoint is set aside (named on stderr).
  --start-fresh                   with --restore latest: when every checkpoint is damaged, start
                                  from the beginning (without it the run fails, naming them)
  --allow-non-restored-state      restore even if the checkpoint holds state of an operator uid
                                  the job no longer has (that state is dropped)
  --restart <strategy>            none | fixed-delay | exponential-backoff (default: with
                                  checkpoints, fixed-delay, 3 attempts, 1000 ms apart; without,
                                  none; with injected failures: fixed-delay, failures + 3
                                  attempts, 100 ms)
  --restart-attempts <n>          restarts before the job fails (default 3)
  --restart-delay <ms>            delay before a restart; the first one for exponential-backoff
                                  (default 1000)
  --restart-max-delay <ms>        exponential-backoff: longest delay (default 60000)

stopping:
  --savepoint-on-exit <dir>       on Ctrl-C (SIGINT) or SIGTERM, stop with a savepoint into <dir>
                                  (absent or empty) instead of cancelling, and print the command
                                  that resumes from it; a second signal cancels. Needs
                                  --checkpoint-mode.

fault injection (testing recovery; needs --checkpoint-mode):
  --inject-failures <n>           n failures at seeded random points: failure i strikes in
                                  attempt i, in a random operator other than a source (sinks
                                  included) and subtask; kinds alternate throw, exit; the trigger is
                                  a record count or a checkpoint phase. The plan is printed.
  --seed <s>                      seed of the plan (default: random, printed). The job module
                                  sees --seed too, as its own option.
  --inject-max-records <n>        record-count triggers are drawn from 1..n (default ${DEFAULT_INJECT_MAX_RECORDS})
  --inject-failure <spec>         one failure, exactly; repeatable. <spec> is
                                    ${FAULT_SPEC_FORM}
                                  <operator>  an operator's name (it may hold ':')
                                  <subtask>   0 to its parallelism - 1
                                  throw       the operator throws (a failed task)
                                  exit        its worker thread exits hard (a crashed task)
                                  <trigger>   after-records=<n>: after the subtask took n records
                                              before-snapshot | after-snapshot | after-ack: at that
                                              phase of the attempt's first checkpoint, or of
                                              checkpoint <id> with <phase>=<id>
                                  <attempt>   the attempt it strikes in: 0 is the first run,
                                              restarts count up (default 0)
                                  e.g. --inject-failure count:0:throw:after-records=500
                                       --inject-failure write:1:exit:after-snapshot=2:1

output: progress on stderr, one line per checkpoint (completed or failed: id, duration, size,
persisted in-flight bytes), per restart and per restore, and a summary per operator at the end.

exit codes: 0 done (or stopped with a savepoint), 1 the job failed, 2 bad usage or
configuration, or nothing ran (checkpoint directory not writable or in use by another run,
every checkpoint damaged, state nothing restores), 130 cancelled.
`;

/** `sluice checkpoints --help`. */
export const CHECKPOINTS_HELP = `usage: sluice checkpoints list <dir> [--json]
       sluice checkpoints inspect <path> [--json]

list <dir>
    Lists the completed checkpoints of each job: id, kind, mode, completion time, end-to-end
    duration, size on disk (compressed / raw), persisted in-flight bytes, subtasks. <dir> is a
    checkpoint root (--checkpoint-dir, holding <job>/chk-<n>/) or one job's directory.
    Directories without a valid _metadata (in progress, aborted, damaged) are named below.

inspect <path>
    Shows a checkpoint or savepoint (its directory, or its _metadata file): the metadata,
    per-subtask statistics (sync, async and alignment duration, start delay, unaligned,
    persisted in-flight bytes), and its files with sizes and SHA-256 checksums; verifies every
    file's size and checksum and names those that are missing, truncated or corrupt.

options:
  --json         print JSON instead of tables
  -h, --help     show this help

exit codes: 0 done (inspect: every file verified), 1 inspect found a damaged checkpoint,
2 bad usage (no such directory, not a checkpoint).
`;

/** `sluice bench --help`. */
export const BENCH_HELP = `usage: sluice bench [options]

Runs sluice's checkpoint benchmark on this machine: generated sources, checkpoints in a
temporary directory, nothing to set up. About two minutes on 2 cores by default. Prints a
table grouped by scenario (with the unaligned : aligned ratios), progress on stderr, and writes
report.json, report.md and report.html (self-contained, with charts) into a directory.

scenarios:
  backpressure   generator -> keyBy -> keyed sum costing 1 us/record -> latency sink, parallelism 2,
                 swept over channel capacity and every mode (and checkpoints off)
  flink-ctb      Flink's CheckpointingTimeBenchmark: parallelism 4, source -> rebalance -> map ->
                 rebalance -> sink sleeping 1 ms/record in a slot sharing group of its own (its
                 own threads, as Flink gives every task one), buffer debloating at 300 ms;
                 64-byte records aligned, 1 KiB unaligned and unaligned with a 1 ms alignment
                 timeout (aligned-timeout); checkpoints/s beside Flink's published figures
  throughput     no backpressure: a checkpoint every 100 ms in each mode against none
  recovery       one injected failure per mode: time to the first record after the restore, and
                 records replayed from channel state

options:
  --scenario <name,...>        scenarios to run (default: all)
  --modes <mode,...>           off, aligned, unaligned, aligned-timeout, at-least-once (default: all)
  --duration <ms>              how long each timed run's sources emit (default 2500; --full 8000)
  --channel-bytes <size,...>   channel capacities of the backpressure sweep, e.g. 64KiB,1MiB,8MiB;
                               the first is also flink-ctb's (default 64KiB,1MiB,8MiB and 256KiB)
  --full                       a larger sweep: 16 KiB to 32 MiB, longer runs, 1 MiB for flink-ctb
  --ctb-parallelism <n>        flink-ctb's parallelism (default 4)
  --ctb-sink-sleep <ms>        flink-ctb's sink sleep per record (default 1)
  --debloat-target <ms|off>    buffer debloating target of the other scenarios (default: the job
                               default, 1000); e.g. 10 keeps the backpressure sweep's in-flight
                               data, and so its aligned checkpoints, about flat across capacities
  --micro                      tinybench micro-benchmarks (ring framing, record codecs, snapshot
                               compression: zstd against gzip and brotli; a checkpoint's files:
                               one per snapshot against merged) into the same report; alone it
                               runs only them, with --scenario both
  --json                       print the report as JSON instead of the table
  --out <dir>                  where the report files go (default: a new sluice-bench-<time> here)
  -h, --help                   show this help
`;
