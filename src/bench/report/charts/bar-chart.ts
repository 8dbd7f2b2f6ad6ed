import { baseline, chartSvg, TICK_FONT_SIZE, tickLabelWidth, valueAxis, type ChartIdentity, type PlotArea } from './frame.js';
import { legend } from './legend.js';
import { valueScale, type TickBase } from './scale.js';
import { element, text, textWidth, tooltip, truncateText } from './svg.js';

/** What the bars at the same position in every group stand for (p50, p99, …), told apart by shade. */
export interface BarSeries {
  readonly key: string;
  readonly label: string;
  /** Fill opacity over the group's colour: lighter for the lower percentile. */
  readonly opacity: number;
}

/** One bar; an absent value draws a dash on the baseline. */
export interface Bar {
  readonly value: number | undefined;
  readonly tooltip: string;
}

/** Bars side by side under one label (a mode), one per series, in the group's colour. */
export interface BarGroup {
  readonly key: string;
  readonly label: string;
  readonly color: string;
  readonly bars: readonly Bar[];
}

/** A panel of groups sharing the chart's value axis (one channel capacity, say). */
export interface BarFacet {
  readonly label: string;
  readonly groups: readonly BarGroup[];
}

/** Grouped bars in facets side by side over one value axis. */
export interface BarChartSpec extends ChartIdentity {
  readonly series: readonly BarSeries[];
  readonly facets: readonly BarFacet[];
  readonly yTitle: string;
  readonly formatY: (value: number) => string;
  /** Value labels over the bars; `formatY` when absent. */
  readonly formatValue?: (value: number) => string;
  readonly yScale?: 'auto' | 'linear' | 'log';
  readonly yBase?: TickBase;
  /** Neutral colour for the legend's shade samples. */
  readonly legendColor?: string;
}

const WIDTH = 960;
const PLOT_HEIGHT = 260;
const FACET_GAP = 28;
const VALUE_FONT_SIZE = 10;
const LABEL_ANGLE = 35;
const MAX_GROUP_LABEL = 150;

/**
 * Grouped bars. Value labels sit over each bar, turned upright when the bar is too narrow for
 * them; group labels slant when they do not fit under their group. Zero on a log axis shows as
 * a `0` on the axis floor.
 */
export function renderBarChart(spec: BarChartSpec): string {
  const formatValue = spec.formatValue ?? spec.formatY;
  const values = spec.facets
    .flatMap((facet) => facet.groups.flatMap((group) => group.bars.map((bar) => bar.value)))
    .filter((value): value is number => value !== undefined && Number.isFinite(value));
  const legendBlock = legend(
    spec.series.map((series) => ({ kind: 'swatch', label: series.label, color: spec.legendColor ?? '#4d4d4d', opacity: series.opacity })),
    0,
    0,
    WIDTH - 40,
  );
  const barCount = spec.facets.reduce((sum, facet) => sum + facet.groups.reduce((count, group) => count + group.bars.length, 0), 0);
  const seriesCount = Math.max(1, spec.series.length);

  // Lay out horizontally first: the value labels' orientation decides the top margin.
  const provisional = valueScale(values, [1, 0], { scale: spec.yScale ?? 'auto', base: spec.yBase });
  const left = tickLabelWidth(provisional, spec.formatY) + 40;
  const plotWidth = WIDTH - left - 16;
  // Every group gets the same width, so a panel with fewer groups is narrower, not sparser.
  const totalGroups = Math.max(
    1,
    spec.facets.reduce((sum, facet) => sum + facet.groups.length, 0),
  );
  const groupWidth = (plotWidth - FACET_GAP * Math.max(0, spec.facets.length - 1)) / totalGroups;
  const barWidth = Math.min(34, (groupWidth * 0.8) / seriesCount);
  const labelTexts = values.map((value) => formatValue(value));
  const valueLabelWidth = Math.max(0, ...labelTexts.map((label) => textWidth(label, VALUE_FONT_SIZE)));
  const uprightValues = valueLabelWidth > barWidth + 2;
  // Bars narrower than a line of text get no value labels (they would overlap): the tooltips and tables have the figures.
  const showValues = barWidth >= VALUE_FONT_SIZE + 2;
  const valueRoom = !showValues ? 8 : uprightValues ? valueLabelWidth + 8 : VALUE_FONT_SIZE + 8;

  const groupLabels = spec.facets.flatMap((facet) =>
    facet.groups.map((group) => truncateText(group.label, MAX_GROUP_LABEL, TICK_FONT_SIZE)),
  );
  const widestGroupLabel = Math.max(0, ...groupLabels.map((label) => textWidth(label, TICK_FONT_SIZE)));
  const slanted = widestGroupLabel > groupWidth - 6;
  const groupLabelHeight = slanted ? widestGroupLabel * Math.sin((LABEL_ANGLE * Math.PI) / 180) + TICK_FONT_SIZE + 8 : TICK_FONT_SIZE + 10;

  const top = 16 + legendBlock.height + valueRoom;
  const plot: PlotArea = { left, top, width: plotWidth, height: PLOT_HEIGHT };
  const y = valueScale(values, [plot.top + plot.height, plot.top], { scale: spec.yScale ?? 'auto', base: spec.yBase });
  const bottom = plot.top + plot.height;

  const body: string[] = [
    element('g', { transform: `translate(${plot.left} 10)` }, legendBlock.svg),
    valueAxis(plot, y, spec.formatY, spec.yTitle + (y.kind === 'log' ? ' (log scale)' : '')),
  ];
  let facetLeft = plot.left;
  spec.facets.forEach((facet, facetIndex) => {
    if (facetIndex > 0) facetLeft += spec.facets[facetIndex - 1]!.groups.length * groupWidth + FACET_GAP;
    const facetParts: string[] = [];
    if (facetIndex > 0) {
      const separator = facetLeft - FACET_GAP / 2;
      facetParts.push(
        element('line', {
          x1: separator,
          y1: plot.top,
          x2: separator,
          y2: bottom + groupLabelHeight + 20,
          stroke: '#c9c9c9',
          'stroke-width': 1,
          'stroke-dasharray': '3 3',
        }),
      );
    }
    const facetCenter = facetLeft + (facet.groups.length * groupWidth) / 2;
    facet.groups.forEach((group, groupIndex) => {
      const groupCenter = facetLeft + (groupIndex + 0.5) * groupWidth;
      const barsLeft = groupCenter - (group.bars.length * barWidth) / 2;
      const groupParts: string[] = [];
      group.bars.forEach((bar, barIndex) => {
        const series = spec.series[barIndex];
        const x = barsLeft + barIndex * barWidth;
        const center = x + barWidth / 2;
        if (bar.value === undefined || !Number.isFinite(bar.value)) {
          groupParts.push(
            element('g', { 'data-bar': `${group.key}/${series?.key ?? barIndex}`, 'data-missing': 'true' }, [
              tooltip(bar.tooltip),
              text('—', { x: center, y: bottom - 4, 'text-anchor': 'middle', 'font-size': VALUE_FONT_SIZE, fill: '#6b6b6b' }),
            ]),
          );
          return;
        }
        const barTop = y.map(bar.value);
        // A zero gets a plain `0` lying flat on the baseline: no bar to label, and less clutter.
        const label = bar.value === 0 ? '0' : formatValue(bar.value);
        const labelAttributes =
          uprightValues && bar.value !== 0
            ? {
                x: center + 3.5,
                y: barTop - 5,
                transform: `rotate(-90 ${Math.round((center + 3.5) * 100) / 100} ${Math.round((barTop - 5) * 100) / 100})`,
                'text-anchor': 'start',
              }
            : { x: center, y: barTop - 5, 'text-anchor': 'middle' };
        groupParts.push(
          element('g', { 'data-bar': `${group.key}/${series?.key ?? barIndex}` }, [
            tooltip(bar.tooltip),
            element('rect', {
              x: x + 1,
              y: barTop,
              width: Math.max(1, barWidth - 2),
              height: Math.max(0, bottom - barTop),
              fill: group.color,
              'fill-opacity': series?.opacity ?? 1,
              stroke: group.color,
              'stroke-width': 1,
            }),
            showValues ? text(label, { ...labelAttributes, 'font-size': VALUE_FONT_SIZE, fill: '#2b2b2b' }) : '',
          ]),
        );
      });
      const labelText = truncateText(group.label, MAX_GROUP_LABEL, TICK_FONT_SIZE);
      const labelY = bottom + 16;
      groupParts.push(
        slanted
          ? text(labelText, {
              x: groupCenter + 4,
              y: labelY,
              'text-anchor': 'end',
              transform: `rotate(-${LABEL_ANGLE} ${Math.round((groupCenter + 4) * 100) / 100} ${labelY})`,
              'font-size': TICK_FONT_SIZE,
              fill: '#1f1f1f',
            })
          : text(labelText, { x: groupCenter, y: labelY, 'text-anchor': 'middle', 'font-size': TICK_FONT_SIZE, fill: '#1f1f1f' }),
      );
      facetParts.push(element('g', { 'data-group': group.key }, [group.label === labelText ? '' : tooltip(group.label), ...groupParts]));
    });
    facetParts.push(
      text(facet.label, {
        x: facetCenter,
        y: bottom + groupLabelHeight + 16,
        'text-anchor': 'middle',
        'font-size': TICK_FONT_SIZE + 1,
        'font-weight': 'bold',
        fill: '#1f1f1f',
      }),
    );
    body.push(element('g', { 'data-facet': facet.label }, facetParts));
  });
  body.push(baseline(plot));
  return chartSvg(spec, WIDTH, bottom + groupLabelHeight + 30, [], body, { series: spec.series.length, bars: barCount });
}
