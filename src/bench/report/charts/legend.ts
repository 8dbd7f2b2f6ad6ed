import type { MarkerShape } from '../modes.js';
import { marker } from './markers.js';
import { element, text, textWidth } from './svg.js';

/** One legend entry: a line (with dash and marker), a filled swatch, or a shaded span. */
export type LegendItem =
  | {
      readonly kind: 'line';
      readonly label: string;
      readonly color: string;
      readonly dash: string;
      readonly marker?: MarkerShape;
      readonly width?: number;
    }
  | { readonly kind: 'swatch'; readonly label: string; readonly color: string; readonly opacity: number; readonly pattern?: string }
  | { readonly kind: 'span'; readonly label: string; readonly fill: string; readonly pattern?: string };

const FONT_SIZE = 12;
const SAMPLE_WIDTH = 30;
const ROW_HEIGHT = 20;
const ITEM_GAP = 22;

function sample(item: LegendItem, x: number, y: number): string {
  switch (item.kind) {
    case 'line':
      return (
        element('line', {
          x1: x,
          y1: y,
          x2: x + SAMPLE_WIDTH,
          y2: y,
          stroke: item.color,
          'stroke-width': item.width ?? 2.5,
          'stroke-dasharray': item.dash || undefined,
        }) + (item.marker === undefined ? '' : marker(item.marker, x + SAMPLE_WIDTH / 2, y, 8, item.color))
      );
    case 'swatch':
      return element('rect', {
        x: x + 7,
        y: y - 7,
        width: 16,
        height: 14,
        fill: item.pattern === undefined ? item.color : `url(#${item.pattern})`,
        'fill-opacity': item.pattern === undefined ? item.opacity : undefined,
        stroke: item.color,
        'stroke-width': 1,
      });
    case 'span':
      return element('rect', {
        x: x + 3,
        y: y - 8,
        width: 24,
        height: 16,
        fill: item.pattern === undefined ? item.fill : `url(#${item.pattern})`,
        stroke: '#8a8a8a',
        'stroke-width': 0.75,
      });
  }
}

/**
 * A legend laid out left to right from `(x, y)`, wrapping into rows within `width` pixels.
 * Returns the SVG and the height it takes.
 */
export function legend(items: readonly LegendItem[], x: number, y: number, width: number): { svg: string; height: number } {
  const parts: string[] = [];
  let column = 0;
  let row = 0;
  for (const item of items) {
    const itemWidth = SAMPLE_WIDTH + 6 + textWidth(item.label, FONT_SIZE);
    if (column > 0 && column + itemWidth > width) {
      column = 0;
      row += 1;
    }
    const cy = y + row * ROW_HEIGHT + ROW_HEIGHT / 2;
    parts.push(
      element('g', { 'data-legend-item': item.label }, [
        sample(item, x + column, cy),
        text(item.label, { x: x + column + SAMPLE_WIDTH + 6, y: cy + 4, 'font-size': FONT_SIZE, fill: '#1f1f1f' }),
      ]),
    );
    column += itemWidth + ITEM_GAP;
  }
  return { svg: element('g', { class: 'legend' }, parts), height: items.length === 0 ? 0 : (row + 1) * ROW_HEIGHT };
}
