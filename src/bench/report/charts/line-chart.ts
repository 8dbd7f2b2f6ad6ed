import type { MarkerShape } from '../modes.js';
import { chartSvg, numericAxisX, tickLabelWidth, valueAxis, type ChartIdentity, type PlotArea } from './frame.js';
import { legend, type LegendItem } from './legend.js';
import { marker } from './markers.js';
import { logScaleAt, valueScale } from './scale.js';
import { element, polyline, tooltip } from './svg.js';

/** One point of a line: a value at `x`, with an optional upper whisker (p99 over a p50, say). */
export interface LinePoint {
  readonly x: number;
  readonly y: number | undefined;
  readonly high?: number | undefined;
  /** What hovering the point shows. */
  readonly tooltip: string;
}

/** One line, styled so it stays distinguishable without colour. */
export interface LineSeries {
  readonly key: string;
  readonly label: string;
  readonly color: string;
  readonly dash: string;
  readonly marker: MarkerShape;
  readonly points: readonly LinePoint[];
}

/** A line chart over a log x axis with ticks at the data's x values (channel capacities). */
export interface LineChartSpec extends ChartIdentity {
  readonly series: readonly LineSeries[];
  readonly xTitle: string;
  readonly yTitle: string;
  readonly formatX: (value: number) => string;
  readonly formatY: (value: number) => string;
  readonly yScale?: 'auto' | 'linear' | 'log';
  /** Legend entry for the whiskers, e.g. `whisker: p50 to p99`. */
  readonly whiskerLabel?: string;
}

const WIDTH = 960;
const PLOT_HEIGHT = 300;
const DODGE = 7;

/** Lines with markers and optional whiskers; a zero on a log axis is drawn hollow on the axis floor. */
export function renderLineChart(spec: LineChartSpec): string {
  const xValues = spec.series.flatMap((series) => series.points.map((point) => point.x));
  const yValues = spec.series.flatMap((series) =>
    series.points.flatMap((point) => [point.y, point.high].filter((v): v is number => v !== undefined)),
  );
  const legendItems: LegendItem[] = spec.series.map((series) => ({
    kind: 'line',
    label: series.label,
    color: series.color,
    dash: series.dash,
    marker: series.marker,
  }));
  if (spec.whiskerLabel !== undefined) legendItems.push({ kind: 'line', label: spec.whiskerLabel, color: '#555555', dash: '', width: 1.5 });
  const legendBlock = legend(legendItems, 0, 0, WIDTH - 40);
  const top = 16 + legendBlock.height + 12;
  const y = valueScale(yValues, [top + PLOT_HEIGHT, top], { scale: spec.yScale ?? 'auto' });
  const left = tickLabelWidth(y, spec.formatY) + 40;
  const plot: PlotArea = { left, top, width: WIDTH - left - 24, height: PLOT_HEIGHT };
  const x = logScaleAt(xValues, [plot.left + 20, plot.left + plot.width - 20]);
  const floor = y.kind === 'log' ? y.domain[0] : 0;

  const body: string[] = [
    element('g', { transform: `translate(${plot.left} 10)` }, legendBlock.svg),
    valueAxis(plot, y, spec.formatY, spec.yTitle + (y.kind === 'log' ? ' (log scale)' : '')),
    numericAxisX(plot, x, spec.formatX, spec.xTitle),
  ];
  spec.series.forEach((series, seriesIndex) => {
    const offset = (seriesIndex - (spec.series.length - 1) / 2) * DODGE;
    const drawn = series.points
      .filter((point): point is LinePoint & { y: number } => point.y !== undefined && Number.isFinite(point.y))
      .sort((a, b) => a.x - b.x);
    const parts: string[] = [];
    if (drawn.length > 1) {
      parts.push(
        element('path', {
          d: polyline(drawn.map((point) => [x.map(point.x) + offset, y.map(point.y)] as const)),
          fill: 'none',
          stroke: series.color,
          'stroke-width': 2.5,
          'stroke-dasharray': series.dash || undefined,
          'stroke-linejoin': 'round',
          'data-line': series.key,
        }),
      );
    }
    for (const point of drawn) {
      const px = x.map(point.x) + offset;
      const py = y.map(point.y);
      const whisker =
        point.high !== undefined && Number.isFinite(point.high) && point.high > point.y
          ? [
              element('line', { x1: px, y1: py, x2: px, y2: y.map(point.high), stroke: series.color, 'stroke-width': 1.5 }),
              element('line', {
                x1: px - 5,
                y1: y.map(point.high),
                x2: px + 5,
                y2: y.map(point.high),
                stroke: series.color,
                'stroke-width': 1.5,
              }),
            ]
          : [];
      parts.push(
        element('g', { 'data-point': `${series.key}@${point.x}` }, [
          tooltip(point.tooltip),
          ...whisker,
          marker(series.marker, px, py, 10, series.color, point.y <= floor && y.kind === 'log'),
        ]),
      );
    }
    body.push(element('g', { 'data-series': series.key }, parts));
  });
  return chartSvg(spec, WIDTH, plot.top + plot.height + 52, [], body, { series: spec.series.length });
}
