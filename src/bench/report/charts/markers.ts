import type { MarkerShape } from '../modes.js';
import { coordinate, element } from './svg.js';

/**
 * A data-point marker centred on `(x, y)`. Hollow markers (white fill) mark points drawn at a
 * log axis's floor because their value is zero.
 */
export function marker(shape: MarkerShape, x: number, y: number, size: number, color: string, hollow = false): string {
  const r = size / 2;
  const fill = hollow ? '#ffffff' : color;
  const stroke = { stroke: color, 'stroke-width': 1.5, fill };
  const points = (list: ReadonlyArray<readonly [number, number]>) =>
    list.map(([px, py]) => `${coordinate(px)},${coordinate(py)}`).join(' ');
  switch (shape) {
    case 'circle':
      return element('circle', { cx: x, cy: y, r: r * 0.95, ...stroke });
    case 'square':
      return element('rect', { x: x - r * 0.85, y: y - r * 0.85, width: r * 1.7, height: r * 1.7, ...stroke });
    case 'triangle':
      return element('polygon', {
        points: points([
          [x, y - r * 1.1],
          [x + r, y + r * 0.75],
          [x - r, y + r * 0.75],
        ]),
        ...stroke,
      });
    case 'diamond':
      return element('polygon', {
        points: points([
          [x, y - r * 1.15],
          [x + r, y],
          [x, y + r * 1.15],
          [x - r, y],
        ]),
        ...stroke,
      });
    case 'cross':
      return element('path', {
        d: `M${coordinate(x - r)} ${coordinate(y - r)} L${coordinate(x + r)} ${coordinate(y + r)} M${coordinate(x - r)} ${coordinate(y + r)} L${coordinate(x + r)} ${coordinate(y - r)}`,
        stroke: color,
        'stroke-width': 2,
        fill: 'none',
      });
  }
}
