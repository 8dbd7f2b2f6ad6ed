import { renderBarChart, type BarFacet, type BarSeries } from './charts/bar-chart.js';
import { renderLineChart, type LineSeries } from './charts/line-chart.js';
import { needsLogScale } from './charts/scale.js';
import { renderTimelineChart } from './charts/timeline-chart.js';
import { finite, formatBytes, formatCount, formatMs, formatTick, MISSING } from './format.js';
import { MODE_ORDER, modeRank, modeStyle } from './modes.js';
import type { BenchReport, BenchRun, Mode, Scenario } from './report-types.js';
import { compareRuns, completedCheckpoints, mixedParallelism, sameSetup, setupLabel } from './run-order.js';
import { scenarioInfo } from './scenarios.js';

/** One figure of report.html: an SVG chart with its heading and caption, or why there is none. */
export interface Figure {
  /** The chart kind, as in the SVG's `data-chart`. */
  readonly kind: string;
  readonly heading: string;
  readonly caption: string;
  /** The chart; absent when the report has no data for it. */
  readonly svg?: string;
  /** Why the chart is missing, as a sentence for the reader. */
  readonly omitted?: string;
}

const msAxis = (value: number) => formatTick(value);

function runsOf(report: BenchReport, scenario: Scenario): BenchRun[] {
  return report.runs.filter((run) => run.scenario === scenario).sort(compareRuns);
}

/** The most common parallelism among runs (the smallest on a tie). */
function commonParallelism(runs: readonly BenchRun[]): number {
  const counts = new Map<number, number>();
  for (const run of runs) counts.set(run.parallelism, (counts.get(run.parallelism) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]?.[0] ?? 1;
}

/** Runs grouped by channel capacity and parallelism, in order, each group's runs in mode order. */
function setups(runs: readonly BenchRun[]): BenchRun[][] {
  const groups: BenchRun[][] = [];
  for (const run of [...runs].sort(compareRuns)) {
    const group = groups.find((candidate) => sameSetup(candidate[0]!, run));
    if (group === undefined) groups.push([run]);
    else if (!group.some((other) => other.mode === run.mode)) group.push(run);
  }
  return groups;
}

function checkpointFigure(report: BenchReport): Figure {
  const heading = 'Checkpoint duration against channel capacity';
  const candidates = runsOf(report, 'backpressure').filter((run) => run.mode !== 'off');
  if (candidates.length === 0) {
    return {
      kind: 'checkpoint-duration',
      heading,
      caption: '',
      omitted:
        'This report has no backpressure runs with checkpoints, so there is no chart of checkpoint duration against channel capacity.',
    };
  }
  const parallelism = commonParallelism(candidates);
  const runs = candidates.filter((run) => run.parallelism === parallelism);
  const modes = [...new Set(runs.map((run) => run.mode))].sort((a, b) => modeRank(a) - modeRank(b));
  const series: LineSeries[] = modes.map((mode) => {
    const style = modeStyle(mode);
    return {
      key: mode,
      label: style.label,
      color: style.color,
      dash: style.dash,
      marker: style.marker,
      points: runs
        .filter((run) => run.mode === mode)
        .map((run) => {
          const completed = completedCheckpoints(run);
          const duration = run.checkpoints?.durationMs;
          const where = `${mode}, ${formatBytes(run.channelBytes)}`;
          return completed > 0
            ? {
                x: run.channelBytes,
                y: finite(duration?.p50),
                high: finite(duration?.p99),
                tooltip: `${where}: p50 ${formatMs(duration?.p50)} ms, p99 ${formatMs(duration?.p99)} ms, max ${formatMs(duration?.max)} ms over ${formatCount(completed)} checkpoints`,
              }
            : { x: run.channelBytes, y: undefined, tooltip: `${where}: no completed checkpoint` };
        }),
    };
  });
  if (series.every((line) => line.points.every((point) => point.y === undefined))) {
    return {
      kind: 'checkpoint-duration',
      heading,
      caption: '',
      omitted: 'No backpressure run completed a checkpoint, so there is no chart of checkpoint duration.',
    };
  }
  const description = series
    .map(
      (line) =>
        `${line.label}: ${line.points.map((point) => `${formatBytes(point.x)} ${point.y === undefined ? 'no checkpoint' : `p50 ${formatMs(point.y)} ms, p99 ${formatMs(point.high)} ms`}`).join('; ')}`,
    )
    .join('. ');
  const otherParallelism = candidates.length > runs.length ? ` Runs at other parallelisms are in the table.` : '';
  const undrawn = series.filter((line) => line.points.every((point) => point.y === undefined)).map((line) => line.label);
  const undrawnNote = undrawn.length > 0 ? ` No completed checkpoint to plot for ${undrawn.join(', ')}.` : '';
  const plotted = series.flatMap((line) =>
    line.points.flatMap((point) => [point.y, point.high].filter((value): value is number => value !== undefined)),
  );
  const yScale = needsLogScale(plotted) ? 'log' : 'linear';
  const floorNote =
    yScale === 'log' && series.some((line) => line.points.some((point) => point.y === 0))
      ? ' A hollow marker on the bottom axis is a p50 of 0 ms, which a log axis cannot show.'
      : '';
  return {
    kind: 'checkpoint-duration',
    heading,
    caption:
      `Backpressure scenario, parallelism ${parallelism}: checkpoint duration p50 (marker) with a whisker up to p99, for each channel capacity. ` +
      `An aligned barrier waits behind the data queued in every channel, so aligned checkpoints lengthen with capacity; an unaligned barrier overtakes the data.${otherParallelism}${undrawnNote}${floorNote}`,
    svg: renderLineChart({
      id: 'chart-checkpoint-duration',
      kind: 'checkpoint-duration',
      title: `Checkpoint duration against channel capacity, backpressure scenario, parallelism ${parallelism}`,
      description: `Checkpoint duration p50 and p99 in milliseconds per mode and channel capacity. ${description}.`,
      series,
      xTitle: 'channel capacity (log scale)',
      yTitle: 'checkpoint duration, ms',
      formatX: (value) => formatBytes(value),
      formatY: msAxis,
      yScale,
      whiskerLabel: 'whisker: p50 to p99',
    }),
  };
}

interface BarStat {
  readonly series: BarSeries;
  readonly value: (run: BenchRun) => number | undefined;
}

function facetsOf(
  runs: readonly BenchRun[],
  stats: readonly BarStat[],
  describe: (run: BenchRun, stat: BarStat, value: number | undefined) => string,
): BarFacet[] {
  const withParallelism = mixedParallelism(runs);
  return setups(runs).map((group) => ({
    label: setupLabel(group[0]!, withParallelism),
    groups: [...group]
      .sort((a, b) => modeRank(a.mode) - modeRank(b.mode))
      .map((run) => ({
        key: `${run.mode}@${run.channelBytes}/${run.parallelism}`,
        label: modeStyle(run.mode).label,
        color: modeStyle(run.mode).color,
        bars: stats.map((stat) => {
          const value = stat.value(run);
          return { value, tooltip: describe(run, stat, value) };
        }),
      })),
  }));
}

function describeFacets(facets: readonly BarFacet[], stats: readonly BarStat[], format: (value: number | undefined) => string): string {
  return facets
    .map(
      (facet) =>
        `${facet.label}: ${facet.groups.map((group) => `${group.label} ${group.bars.map((bar, index) => `${stats[index]!.series.label} ${format(bar.value)}`).join(', ')}`).join('; ')}`,
    )
    .join('. ');
}

function latencyFigure(report: BenchReport): Figure {
  const heading = 'Latency percentiles per mode';
  const runs = runsOf(report, 'backpressure');
  if (runs.length === 0)
    return { kind: 'latency', heading, caption: '', omitted: 'This report has no backpressure runs, so there is no latency chart.' };
  const stats: BarStat[] = [
    { series: { key: 'p50', label: 'p50', opacity: 0.3 }, value: (run) => finite(run.latencyMs?.p50) },
    { series: { key: 'p99', label: 'p99', opacity: 0.62 }, value: (run) => finite(run.latencyMs?.p99) },
    { series: { key: 'p999', label: 'p99.9', opacity: 1 }, value: (run) => finite(run.latencyMs?.p999) },
  ];
  const facets = facetsOf(
    runs,
    stats,
    (run, stat, value) => `${run.mode}, ${setupLabel(run, true)}: latency ${stat.series.label} ${formatMs(value)} ms`,
  );
  return {
    kind: 'latency',
    heading,
    caption:
      'Backpressure scenario: end-to-end record latency p50, p99 and p99.9 (light to dark) for each mode, one panel per channel capacity. ' +
      'Under backpressure most of the latency is time spent queued in full channels, so it grows with capacity in every mode; compare the modes within a panel.',
    svg: renderBarChart({
      id: 'chart-latency',
      kind: 'latency',
      title: 'Latency percentiles per mode and channel capacity, backpressure scenario',
      description: `Latency in milliseconds. ${describeFacets(facets, stats, (value) => `${formatMs(value)} ms`)}.`,
      series: stats.map((stat) => stat.series),
      facets,
      yTitle: 'latency, ms',
      formatY: msAxis,
      formatValue: formatMs,
    }),
  };
}

function persistedFigure(report: BenchReport): Figure {
  const heading = 'Persisted in-flight data per mode';
  const runs = runsOf(report, 'backpressure').filter((run) => run.mode !== 'off');
  if (runs.length === 0)
    return {
      kind: 'persisted-in-flight',
      heading,
      caption: '',
      omitted: 'This report has no backpressure runs with checkpoints, so there is no chart of persisted in-flight data.',
    };
  const perCheckpoint = (pick: (run: BenchRun) => unknown) => (run: BenchRun) =>
    completedCheckpoints(run) > 0 ? finite(pick(run)) : undefined;
  const stats: BarStat[] = [
    {
      series: { key: 'p50', label: 'p50 per checkpoint', opacity: 0.4 },
      value: perCheckpoint((run) => run.checkpoints.persistedInFlightBytes?.p50),
    },
    {
      series: { key: 'max', label: 'max per checkpoint', opacity: 1 },
      value: perCheckpoint((run) => run.checkpoints.persistedInFlightBytes?.max),
    },
  ];
  const facets = facetsOf(
    runs,
    stats,
    (run, stat, value) =>
      `${run.mode}, ${setupLabel(run, true)}: persisted in-flight ${stat.series.label} ${value === undefined ? `${MISSING} (no completed checkpoint)` : formatBytes(value)}`,
  );
  const persisted = facets.flatMap((facet) => facet.groups.flatMap((group) => group.bars.map((bar) => bar.value ?? 0)));
  const noneNote = persisted.every((value) => value === 0) ? ' No run of this report persisted any in-flight data.' : '';
  return {
    kind: 'persisted-in-flight',
    heading,
    caption:
      'Backpressure scenario: bytes of in-flight records written into each checkpoint as channel state, p50 and max over the checkpoints, one panel per channel capacity. ' +
      'Aligned and at-least-once checkpoints persist none; aligned-timeout persists only after switching to unaligned. This is what unaligned checkpoints pay in checkpoint size and write time.' +
      noneNote,
    svg: renderBarChart({
      id: 'chart-persisted',
      kind: 'persisted-in-flight',
      title: 'Persisted in-flight bytes per checkpoint, per mode and channel capacity, backpressure scenario',
      description: `Persisted in-flight data per checkpoint. ${describeFacets(facets, stats, formatBytes)}.`,
      series: stats.map((stat) => stat.series),
      facets,
      yTitle: 'persisted in-flight data per checkpoint',
      formatY: (value) => formatBytes(value),
      yScale: 'linear',
      yBase: 'binary',
    }),
  };
}

function flinkFigure(report: BenchReport): Figure | undefined {
  const runs = runsOf(report, 'flink-ctb').filter((run) => run.reference !== undefined);
  if (runs.length === 0) return undefined;
  const stats: BarStat[] = [
    {
      series: { key: 'sluice', label: 'sluice, checkpoint duration p50', opacity: 1 },
      value: (run) => (completedCheckpoints(run) > 0 ? finite(run.checkpoints.durationMs?.p50) : undefined),
    },
    { series: { key: 'flink', label: "Flink's published figure", opacity: 0.3 }, value: (run) => finite(run.reference?.durationMs) },
  ];
  const facets = facetsOf(
    runs,
    stats,
    (run, stat, value) =>
      `${run.mode}, ${setupLabel(run, true)}: ${stat.series.key === 'flink' ? (run.reference?.label ?? 'Flink') : 'sluice p50'} ${formatMs(value)} ms`,
  );
  return {
    kind: 'flink-reference',
    heading: "Beside Flink's CheckpointingTimeBenchmark",
    caption: `${scenarioInfo('flink-ctb').description} Dark: sluice's checkpoint duration p50 on this machine; light: Flink's figure for the same mode.`,
    svg: renderBarChart({
      id: 'chart-flink',
      kind: 'flink-reference',
      title: "Checkpoint duration: sluice beside Flink's CheckpointingTimeBenchmark",
      description: `Checkpoint duration in milliseconds. ${describeFacets(facets, stats, (value) => `${formatMs(value)} ms`)}.`,
      series: stats.map((stat) => stat.series),
      facets,
      yTitle: 'checkpoint duration, ms',
      formatY: msAxis,
      formatValue: formatMs,
    }),
  };
}

/** The run whose timeline report.html draws, and the aligned run beside it at the same setup, if any. */
export function timelineRuns(report: BenchReport): { primary?: BenchRun; companion?: BenchRun } {
  const withTimeline = report.runs.filter(
    (run) => run.timeline !== undefined && (run.timeline.latency?.length ?? 0) + (run.timeline.checkpoints?.length ?? 0) > 0,
  );
  const alignedTwin = (run: BenchRun) =>
    withTimeline.find((other) => other.mode === 'aligned' && other.scenario === run.scenario && sameSetup(other, run));
  const unaligned = withTimeline
    .filter((run) => run.scenario === 'backpressure' && run.mode === 'unaligned')
    .sort(compareRuns)
    .reverse();
  const primary =
    unaligned.find((run) => alignedTwin(run) !== undefined) ??
    unaligned[0] ??
    withTimeline.find((run) => run.scenario === 'backpressure') ??
    withTimeline[0];
  if (primary === undefined) return {};
  const companion = primary.mode === 'unaligned' ? alignedTwin(primary) : undefined;
  return companion === undefined ? { primary } : { primary, companion };
}

function timelineFigures(report: BenchReport): Figure[] {
  const { primary, companion } = timelineRuns(report);
  if (primary === undefined) {
    return [{ kind: 'timeline', heading: 'Timeline of a run', caption: '', omitted: 'No run in this report recorded a timeline.' }];
  }
  const shown = companion === undefined ? [primary] : [primary, companion];
  const latencyDomain = shown.flatMap((run) => run.timeline!.latency.flatMap((sample) => [sample[1], sample[2]]));
  const latencyScale = needsLogScale(latencyDomain) ? 'log' : 'linear';
  const durationMs = Math.max(...shown.map((run) => finite(run.durationMs) ?? 0));
  return shown.map((run, index) => {
    const timeline = run.timeline!;
    const failed = timeline.checkpoints.filter((checkpoint) => checkpoint.status === 'failed').length;
    const discarded = timeline.checkpoints.filter((checkpoint) => checkpoint.status === 'discarded').length;
    const completed = timeline.checkpoints.length - failed - discarded;
    const where = `${scenarioInfo(run.scenario).title.toLowerCase()}, ${run.mode}, ${setupLabel(run, true)}`;
    const p99s = timeline.latency.map((sample) => sample[2]).filter((value) => Number.isFinite(value));
    return {
      kind: 'timeline',
      heading: `Timeline: ${where}`,
      caption:
        (index === 0
          ? 'Latency p50 and p99 per interval over the run; each shaded span is a checkpoint, from trigger to completion. '
          : 'The same axes, for the aligned run at the same capacity. ') +
        `${completed} completed and ${failed} failed checkpoint${failed === 1 ? '' : 's'}${failed > 0 ? ' (hatched red)' : ''}, as in the table` +
        (discarded > 0 ? `; ${discarded} still in progress when the run ended (grey, not a failure)` : '') +
        '. ' +
        'Spans shorter than 2 pixels are drawn 2 pixels wide.',
      svg: renderTimelineChart({
        id: `chart-timeline-${index}`,
        kind: 'timeline',
        title: `Timeline of the ${where} run`,
        description:
          `${timeline.latency.length} latency samples; p99 from ${formatMs(Math.min(...p99s))} to ${formatMs(Math.max(...p99s))} ms. ` +
          `${timeline.checkpoints.length} checkpoints: ${timeline.checkpoints.map((c) => `${c.id} ${c.status} ${formatMs(c.endMs - c.startMs)} ms`).join(', ')}.`,
        latency: timeline.latency,
        checkpoints: timeline.checkpoints,
        durationMs,
        latencyDomain,
        latencyScale,
        formatMs: msAxis,
      }),
    };
  });
}

/** Every figure of report.html, in page order; a figure without data says why instead. */
export function buildFigures(report: BenchReport): Figure[] {
  const flink = flinkFigure(report);
  return [
    checkpointFigure(report),
    latencyFigure(report),
    persistedFigure(report),
    ...(flink === undefined ? [] : [flink]),
    ...timelineFigures(report),
  ];
}

/** The modes of the report, in order; for the page's legend of colours. */
export function modesIn(report: BenchReport): Mode[] {
  return MODE_ORDER.filter((mode) => report.runs.some((run) => run.mode === mode));
}
