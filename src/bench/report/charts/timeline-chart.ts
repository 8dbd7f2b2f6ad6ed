import type { LatencySample, TimelineCheckpoint } from '../report-types.js';
import { chartSvg, hatchPattern, numericAxisX, tickLabelWidth, valueAxis, type ChartIdentity, type PlotArea } from './frame.js';
import { legend, type LegendItem } from './legend.js';
import { linearScale, valueScale } from './scale.js';
import { element, polyline, tooltip } from './svg.js';

/** One run over time: latency per interval as lines, each checkpoint as a shaded span. */
export interface TimelineChartSpec extends ChartIdentity {
  readonly latency: readonly LatencySample[];
  readonly checkpoints: readonly TimelineCheckpoint[];
  /** Length of the x axis; the last sample or checkpoint end when longer. */
  readonly durationMs: number;
  /** Values the latency axis must cover: pass every timeline's, so charts side by side share one axis. */
  readonly latencyDomain: readonly number[];
  /** Whether to draw the latency axis on a log scale; decided once for charts that share it. */
  readonly latencyScale: 'linear' | 'log';
  readonly formatMs: (value: number) => string;
}

const WIDTH = 960;
const PLOT_HEIGHT = 220;
/** Spans narrower than this are widened to it, so a 3 ms checkpoint on a 60 s axis stays visible. */
const MIN_SPAN_WIDTH = 2;
const P50_COLOR = '#1f1f1f';
const P99_COLOR = '#d55e00';
const COMPLETED_FILL = '#56b4e9';
const FAILED_COLOR = '#c0182b';
const DISCARDED_FILL = '#999999';

/** Latency lines over checkpoint spans; completed spans are pale blue, failed ones hatched red. */
export function renderTimelineChart(spec: TimelineChartSpec): string {
  const failedPattern = `${spec.id}-failed`;
  const legendItems: LegendItem[] = [
    { kind: 'line', label: 'latency p50', color: P50_COLOR, dash: '' },
    { kind: 'line', label: 'latency p99', color: P99_COLOR, dash: '6 3' },
    { kind: 'span', label: 'checkpoint running (completed)', fill: 'rgba(86,180,233,0.35)' },
  ];
  if (spec.checkpoints.some((checkpoint) => checkpoint.status === 'failed')) {
    legendItems.push({ kind: 'span', label: 'checkpoint running (failed)', fill: FAILED_COLOR, pattern: failedPattern });
  }
  if (spec.checkpoints.some((checkpoint) => checkpoint.status === 'discarded')) {
    legendItems.push({ kind: 'span', label: 'checkpoint in progress when the run ended', fill: 'rgba(153,153,153,0.35)' });
  }
  const legendBlock = legend(legendItems, 0, 0, WIDTH - 40);
  const top = 16 + legendBlock.height + 12;
  const y = valueScale(spec.latencyDomain, [top + PLOT_HEIGHT, top], { scale: spec.latencyScale });
  const left = tickLabelWidth(y, spec.formatMs) + 40;
  const plot: PlotArea = { left, top, width: WIDTH - left - 24, height: PLOT_HEIGHT };
  const lastSample = Math.max(0, ...spec.latency.map((sample) => sample[0]), ...spec.checkpoints.map((checkpoint) => checkpoint.endMs));
  const endSeconds = Math.max(Number.isFinite(spec.durationMs) ? spec.durationMs : 0, lastSample) / 1000;
  const x = linearScale(endSeconds > 0 ? endSeconds : 1, [plot.left, plot.left + plot.width], { tickCount: 10 });
  const seconds = (ms: number) => x.map(ms / 1000);

  const spans = spec.checkpoints.map((checkpoint) => {
    const start = seconds(checkpoint.startMs);
    const end = Math.max(seconds(checkpoint.endMs), start + MIN_SPAN_WIDTH);
    const failed = checkpoint.status === 'failed';
    return element('g', { 'data-span': checkpoint.status }, [
      tooltip(
        `checkpoint ${checkpoint.id} ${checkpoint.status}: ${(checkpoint.startMs / 1000).toFixed(2)} s to ${(checkpoint.endMs / 1000).toFixed(2)} s (${spec.formatMs(checkpoint.endMs - checkpoint.startMs)} ms)`,
      ),
      element('rect', {
        x: start,
        y: plot.top,
        width: end - start,
        height: plot.height,
        fill: failed ? `url(#${failedPattern})` : checkpoint.status === 'discarded' ? DISCARDED_FILL : COMPLETED_FILL,
        'fill-opacity': failed ? 0.55 : 0.3,
      }),
    ]);
  });
  const samples = [...spec.latency].filter((sample) => Number.isFinite(sample[0])).sort((a, b) => a[0] - b[0]);
  const line = (index: 1 | 2, color: string, dash: string, key: string) => {
    const points = samples
      .filter((sample) => Number.isFinite(sample[index]))
      .map((sample) => [seconds(sample[0]), y.map(sample[index])] as const);
    if (points.length === 0) return '';
    if (points.length === 1) return element('circle', { cx: points[0]![0], cy: points[0]![1], r: 3, fill: color, 'data-line': key });
    return element('path', {
      d: polyline(points),
      fill: 'none',
      stroke: color,
      'stroke-width': 2,
      'stroke-dasharray': dash || undefined,
      'stroke-linejoin': 'round',
      'data-line': key,
    });
  };
  const body = [
    element('g', { transform: `translate(${plot.left} 10)` }, legendBlock.svg),
    valueAxis(plot, y, spec.formatMs, `latency, ms${y.kind === 'log' ? ' (log scale)' : ''}`),
    element('g', { class: 'spans' }, spans),
    numericAxisX(plot, x, (value) => String(Number(value.toPrecision(6))), 'time since the run started, s'),
    line(2, P99_COLOR, '6 3', 'p99'),
    line(1, P50_COLOR, '', 'p50'),
  ];
  return chartSvg(spec, WIDTH, plot.top + plot.height + 52, [hatchPattern(failedPattern, FAILED_COLOR)], body, {
    samples: samples.length,
    spans: spec.checkpoints.length,
  });
}
