import { compareUnalignedWithAligned, type UnalignedComparison } from './comparisons.js';
import { finite, formatBytes, formatCount, formatMs, formatRate, formatRatio, MISSING } from './format.js';
import type { BenchReport, BenchRun, Mode, Scenario } from './report-types.js';
import { compareRuns, completedCheckpoints, sameSetup } from './run-order.js';
import { scenarioInfo, scenarioRank, type ScenarioInfo } from './scenarios.js';

/** How a renderer should set a cell apart: the mode colour, dimmed, or flagged. */
export type CellTone = 'plain' | 'mode' | 'muted' | 'bad';

/** One cell of a results table, already formatted. */
export interface TableCell {
  readonly text: string;
  readonly tone: CellTone;
  /** The run's mode, for `tone: 'mode'`. */
  readonly mode?: Mode;
}

/** One column of a results table. */
export interface TableColumn {
  readonly key: string;
  /** Heading shared by adjacent columns (`latency (ms)`), or empty. */
  readonly group: string;
  /** Heading under the group (`p99`). */
  readonly label: string;
  /** The whole heading for a one-row header: `latency p99 (ms)`. */
  readonly heading: string;
  readonly align: 'left' | 'right';
}

/** One run's row. */
export interface TableRow {
  readonly run: BenchRun;
  readonly cells: readonly TableCell[];
  /** First row of a new channel capacity and parallelism: renderers draw a separator above it. */
  readonly startsSetup: boolean;
}

/** The results of one scenario, laid out for any renderer. */
export interface ScenarioTable {
  readonly scenario: Scenario;
  readonly info: ScenarioInfo;
  readonly columns: readonly TableColumn[];
  readonly rows: readonly TableRow[];
  readonly comparisons: readonly UnalignedComparison[];
  /** The distinct labels of the runs' reference figures, in row order. */
  readonly referenceLabels: readonly string[];
}

/**
 * Which table: `summary` has throughput, latency and checkpoint duration (one row per run, as
 * on stdout); `detail` has the parts of a checkpoint (start delay, alignment, phases, persisted
 * data, size) for the runs that take checkpoints.
 */
export type TableView = 'summary' | 'detail';

/** Which table, and how tightly labelled. */
export interface TableModelOptions {
  readonly view: TableView;
  /** Shorter group headings, for the terminal where width is scarce. */
  readonly compact?: boolean;
}

interface ColumnSpec {
  readonly key: string;
  readonly group: string;
  readonly label: string;
  readonly heading: string;
  readonly align: 'left' | 'right';
  /** The tables the column appears in. */
  readonly views: readonly TableView[];
  /** Group and label in a compact table. */
  readonly compact?: readonly [group: string, label: string];
  /** Shown only when some run of the scenario has the figure. */
  readonly present?: (run: BenchRun) => boolean;
  readonly cell: (run: BenchRun) => TableCell;
}

function plain(text: string): TableCell {
  return { text, tone: text === MISSING ? 'muted' : 'plain' };
}

/** A checkpoint figure: meaningless without a completed checkpoint, whatever the runner wrote. */
function checkpointFigure(format: (value: unknown) => string, pick: (run: BenchRun) => unknown) {
  return (run: BenchRun): TableCell => plain(completedCheckpoints(run) > 0 ? format(pick(run)) : MISSING);
}

function oursOverReference(run: BenchRun): TableCell {
  const reference = finite(run.reference?.durationMs);
  const ours = finite(run.checkpoints?.durationMs?.p50);
  if (reference === undefined || ours === undefined || reference <= 0 || completedCheckpoints(run) === 0) return plain(MISSING);
  return plain(formatRatio(ours / reference));
}

const COLUMNS: readonly ColumnSpec[] = [
  {
    key: 'mode',
    views: ['summary', 'detail'],
    group: '',
    label: 'mode',
    heading: 'mode',
    align: 'left',
    cell: (run) => ({ text: String(run.mode), tone: 'mode', mode: run.mode }),
  },
  {
    key: 'channel',
    views: ['summary', 'detail'],
    group: '',
    label: 'channel',
    heading: 'channel',
    align: 'right',
    cell: (run) => plain(formatBytes(run.channelBytes)),
  },
  {
    key: 'parallelism',
    views: ['summary', 'detail'],
    group: '',
    label: 'par.',
    heading: 'parallelism',
    align: 'right',
    cell: (run) => plain(formatCount(run.parallelism)),
  },
  {
    key: 'throughput',
    views: ['summary'],
    group: '',
    label: 'records/s',
    heading: 'records/s',
    align: 'right',
    cell: (run) => plain(formatRate(run.throughputRecordsPerSec)),
  },
  {
    key: 'latency-p50',
    views: ['summary'],
    group: 'latency (ms)',
    label: 'p50',
    heading: 'latency p50 (ms)',
    align: 'right',
    cell: (run) => plain(formatMs(run.latencyMs?.p50)),
  },
  {
    key: 'latency-p99',
    views: ['summary'],
    group: 'latency (ms)',
    label: 'p99',
    heading: 'latency p99 (ms)',
    align: 'right',
    cell: (run) => plain(formatMs(run.latencyMs?.p99)),
  },
  {
    key: 'latency-p999',
    views: ['summary'],
    group: 'latency (ms)',
    label: 'p99.9',
    heading: 'latency p99.9 (ms)',
    align: 'right',
    cell: (run) => plain(formatMs(run.latencyMs?.p999)),
  },
  {
    key: 'checkpoint-p50',
    views: ['summary'],
    group: 'checkpoint duration (ms)',
    label: 'p50',
    heading: 'checkpoint p50 (ms)',
    align: 'right',
    compact: ['checkpoint (ms)', 'p50'],
    cell: checkpointFigure(formatMs, (run) => run.checkpoints.durationMs?.p50),
  },
  {
    key: 'checkpoint-p99',
    views: ['summary'],
    group: 'checkpoint duration (ms)',
    label: 'p99',
    heading: 'checkpoint p99 (ms)',
    align: 'right',
    compact: ['checkpoint (ms)', 'p99'],
    cell: checkpointFigure(formatMs, (run) => run.checkpoints.durationMs?.p99),
  },
  {
    key: 'checkpoint-max',
    views: ['summary'],
    group: 'checkpoint duration (ms)',
    label: 'max',
    heading: 'checkpoint max (ms)',
    align: 'right',
    compact: ['checkpoint (ms)', 'max'],
    cell: checkpointFigure(formatMs, (run) => run.checkpoints.durationMs?.max),
  },
  {
    key: 'reference',
    views: ['summary'],
    group: 'Flink reference',
    label: 'ms',
    heading: 'Flink reference (ms)',
    align: 'right',
    present: (run) => run.reference !== undefined,
    cell: (run) => plain(formatMs(run.reference?.durationMs)),
  },
  {
    key: 'reference-ratio',
    views: ['summary'],
    group: 'Flink reference',
    label: 'ours÷Flink',
    heading: 'sluice p50 ÷ Flink',
    align: 'right',
    present: (run) => run.reference !== undefined,
    cell: oursOverReference,
  },
  {
    key: 'alignment-p50',
    views: ['summary', 'detail'],
    group: 'alignment (ms)',
    label: 'p50',
    heading: 'alignment p50 (ms)',
    align: 'right',
    compact: ['alignment', 'p50 ms'],
    cell: checkpointFigure(formatMs, (run) => run.checkpoints.alignmentMs?.p50),
  },
  {
    key: 'alignment-max',
    views: ['detail'],
    group: 'alignment (ms)',
    label: 'max',
    heading: 'alignment max (ms)',
    align: 'right',
    cell: checkpointFigure(formatMs, (run) => run.checkpoints.alignmentMs?.max),
  },
  {
    key: 'start-delay-p50',
    views: ['detail'],
    group: 'start delay (ms)',
    label: 'p50',
    heading: 'start delay p50 (ms)',
    align: 'right',
    cell: checkpointFigure(formatMs, (run) => run.checkpoints.startDelayMs?.p50),
  },
  {
    key: 'sync-p50',
    views: ['detail'],
    group: 'phases p50 (ms)',
    label: 'sync',
    heading: 'sync p50 (ms)',
    align: 'right',
    cell: checkpointFigure(formatMs, (run) => run.checkpoints.syncMs?.p50),
  },
  {
    key: 'async-p50',
    views: ['detail'],
    group: 'phases p50 (ms)',
    label: 'async',
    heading: 'async p50 (ms)',
    align: 'right',
    cell: checkpointFigure(formatMs, (run) => run.checkpoints.asyncMs?.p50),
  },
  {
    key: 'persisted-p50',
    views: ['summary', 'detail'],
    group: 'persisted in-flight',
    label: 'p50',
    heading: 'persisted in-flight p50',
    align: 'right',
    compact: ['persisted', 'in-flight p50'],
    cell: checkpointFigure(formatBytes, (run) => run.checkpoints.persistedInFlightBytes?.p50),
  },
  {
    key: 'persisted-max',
    views: ['detail'],
    group: 'persisted in-flight',
    label: 'max',
    heading: 'persisted in-flight max',
    align: 'right',
    cell: checkpointFigure(formatBytes, (run) => run.checkpoints.persistedInFlightBytes?.max),
  },
  {
    key: 'checkpointed-p50',
    views: ['detail'],
    group: 'checkpoint size p50',
    label: 'on disk',
    heading: 'checkpoint size p50',
    align: 'right',
    cell: checkpointFigure(formatBytes, (run) => run.checkpoints.checkpointedBytes?.p50),
  },
  {
    key: 'checkpointed-raw-p50',
    views: ['detail'],
    group: 'checkpoint size p50',
    label: 'raw',
    heading: 'checkpoint size p50, raw',
    align: 'right',
    cell: checkpointFigure(formatBytes, (run) => run.checkpoints.checkpointedBytes?.rawP50),
  },
  {
    key: 'checkpoints',
    views: ['summary'],
    group: 'checkpoints',
    label: 'ok/failed',
    heading: 'checkpoints ok/failed',
    align: 'right',
    cell: (run) => {
      const failed = finite(run.checkpoints?.failed) ?? 0;
      if (run.mode === 'off' && completedCheckpoints(run) === 0 && failed === 0) return plain(MISSING);
      return { text: `${formatCount(completedCheckpoints(run))}/${formatCount(failed)}`, tone: failed > 0 ? 'bad' : 'plain' };
    },
  },
  {
    key: 'recovery',
    views: ['summary'],
    group: 'recovery',
    label: 'ms',
    heading: 'recovery (ms)',
    align: 'right',
    present: (run) => run.recoveryMs !== undefined,
    cell: (run) => plain(formatMs(run.recoveryMs)),
  },
  {
    key: 'replayed',
    views: ['summary'],
    group: 'recovery',
    label: 'replayed in-flight',
    heading: 'replayed in-flight records',
    align: 'right',
    present: (run) => run.replayedRecords !== undefined,
    cell: (run) => plain(formatCount(run.replayedRecords)),
  },
];

/**
 * The tables of a report in one view, one per scenario that has runs, in {@link SCENARIO_ORDER};
 * a detail table can have no rows (a scenario that ran only mode `off`).
 */
export function buildScenarioTables(report: BenchReport, options: TableModelOptions): ScenarioTable[] {
  const scenarios = [...new Set(report.runs.map((run) => run.scenario))].sort((a, b) => scenarioRank(a) - scenarioRank(b));
  const comparisons = compareUnalignedWithAligned(report.runs);
  return scenarios.map((scenario) => {
    const all = report.runs.filter((run) => run.scenario === scenario).sort(compareRuns);
    // The parts of a checkpoint are all dashes for the baseline that takes none.
    const runs = options.view === 'detail' ? all.filter((run) => run.mode !== 'off') : all;
    const specs = COLUMNS.filter((spec) => spec.views.includes(options.view) && (spec.present === undefined || runs.some(spec.present)));
    const rows = runs.map((run, index): TableRow => ({
      run,
      cells: specs.map((spec) => spec.cell(run)),
      startsSetup: index > 0 && !sameSetup(runs[index - 1]!, run),
    }));
    const referenceLabels = [...new Set(runs.flatMap((run) => (run.reference ? [run.reference.label] : [])))];
    return {
      scenario,
      info: scenarioInfo(scenario),
      columns: specs.map(({ key, group, label, heading, align, compact }) =>
        options.compact === true && compact !== undefined
          ? { key, group: compact[0], label: compact[1], heading, align }
          : { key, group, label, heading, align },
      ),
      rows,
      comparisons: comparisons.filter((comparison) => comparison.scenario === scenario),
      referenceLabels,
    };
  });
}
