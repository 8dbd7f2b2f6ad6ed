import type { Scale } from './scale.js';
import { element, escapeXml, text, textWidth } from './svg.js';

/** The inner rectangle of a chart, where the data is drawn. */
export interface PlotArea {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

/** What every chart says about itself, for the `<title>` and `<desc>` screen readers announce. */
export interface ChartIdentity {
  /** Unique in the page; prefixes the ids inside the SVG. */
  readonly id: string;
  /** Short name of the chart (`data-chart`), the same for every chart of a kind. */
  readonly kind: string;
  readonly title: string;
  /** The data in words. */
  readonly description: string;
}

/** The chart font size for tick labels; titles are one pixel larger. */
export const TICK_FONT_SIZE = 12;
const GRID = '#e2e2e2';
const AXIS = '#6b6b6b';
const LABEL = '#3a3a3a';

/** Widest tick label of a scale, to size the margin beside it. */
export function tickLabelWidth(scale: Scale, format: (value: number) => string): number {
  return Math.max(0, ...scale.ticks.map((tick) => textWidth(format(tick), TICK_FONT_SIZE)));
}

/** The vertical value axis on the left of the plot: gridlines, tick labels and the rotated title. */
export function valueAxis(plot: PlotArea, scale: Scale, format: (value: number) => string, title: string): string {
  const parts: string[] = [];
  const labelWidth = tickLabelWidth(scale, format);
  for (const tick of scale.ticks) {
    const y = scale.map(tick);
    parts.push(element('line', { x1: plot.left, y1: y, x2: plot.left + plot.width, y2: y, stroke: GRID, 'stroke-width': 1 }));
    parts.push(text(format(tick), { x: plot.left - 7, y: y + 4, 'text-anchor': 'end', 'font-size': TICK_FONT_SIZE, fill: LABEL }));
  }
  parts.push(element('line', { x1: plot.left, y1: plot.top, x2: plot.left, y2: plot.top + plot.height, stroke: AXIS, 'stroke-width': 1 }));
  const titleX = plot.left - labelWidth - 18;
  const titleY = plot.top + plot.height / 2;
  parts.push(
    text(title, {
      x: titleX,
      y: titleY,
      transform: `rotate(-90 ${Math.round(titleX)} ${Math.round(titleY)})`,
      'text-anchor': 'middle',
      'font-size': TICK_FONT_SIZE + 1,
      fill: LABEL,
    }),
  );
  return element('g', { class: 'axis axis-y' }, parts);
}

/** A numeric horizontal axis under the plot: gridlines, tick labels and the title. */
export function numericAxisX(plot: PlotArea, scale: Scale, format: (value: number) => string, title: string): string {
  const parts: string[] = [];
  const bottom = plot.top + plot.height;
  for (const tick of scale.ticks) {
    const x = scale.map(tick);
    parts.push(element('line', { x1: x, y1: plot.top, x2: x, y2: bottom, stroke: GRID, 'stroke-width': 1 }));
    parts.push(element('line', { x1: x, y1: bottom, x2: x, y2: bottom + 5, stroke: AXIS, 'stroke-width': 1 }));
    parts.push(text(format(tick), { x, y: bottom + 19, 'text-anchor': 'middle', 'font-size': TICK_FONT_SIZE, fill: LABEL }));
  }
  parts.push(baseline(plot));
  parts.push(
    text(title, { x: plot.left + plot.width / 2, y: bottom + 40, 'text-anchor': 'middle', 'font-size': TICK_FONT_SIZE + 1, fill: LABEL }),
  );
  return element('g', { class: 'axis axis-x' }, parts);
}

/** The line under the plot. */
export function baseline(plot: PlotArea): string {
  const bottom = plot.top + plot.height;
  return element('line', { x1: plot.left, y1: bottom, x2: plot.left + plot.width, y2: bottom, stroke: AXIS, 'stroke-width': 1 });
}

/** Hatching for failed checkpoints and other "not a normal value" fills, in `color`. */
export function hatchPattern(id: string, color: string, background = '#ffffff'): string {
  return element('pattern', { id, width: 6, height: 6, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' }, [
    element('rect', { width: 6, height: 6, fill: background }),
    element('line', { x1: 0, y1: 0, x2: 0, y2: 6, stroke: color, 'stroke-width': 2.5 }),
  ]);
}

/**
 * The `<svg>` element, inline in the page (so without `xmlns`): responsive (scales to its container's width), labelled by its `<title>`
 * and `<desc>`, in the page's sans-serif font.
 */
export function chartSvg(
  identity: ChartIdentity,
  width: number,
  height: number,
  defs: readonly string[],
  body: readonly string[],
  data: Readonly<Record<string, string | number>> = {},
): string {
  const titleId = `${identity.id}-title`;
  const descId = `${identity.id}-desc`;
  const dataAttributes = Object.fromEntries(Object.entries(data).map(([key, value]) => [`data-${key}`, value]));
  return element(
    'svg',
    {
      viewBox: `0 0 ${Math.round(width)} ${Math.round(height)}`,
      width: '100%',
      role: 'img',
      'aria-labelledby': `${titleId} ${descId}`,
      class: 'chart',
      'data-chart': identity.kind,
      id: identity.id,
      ...dataAttributes,
    },
    [
      `<title id="${escapeXml(titleId)}">${escapeXml(identity.title)}</title>`,
      `<desc id="${escapeXml(descId)}">${escapeXml(identity.description)}</desc>`,
      defs.length > 0 ? element('defs', {}, defs) : '',
      element('rect', { x: 0, y: 0, width, height, fill: '#ffffff' }),
      ...body,
    ],
  );
}
