import type { Mode } from './report-types.js';
import { BENCH_MODES } from '../lib/index.js';

/** The shape drawn at each data point of a mode's line. */
export type MarkerShape = 'circle' | 'square' | 'triangle' | 'diamond' | 'cross';

/**
 * How one mode looks in every output. Colours are Okabe and Ito's palette for colour-blind
 * readers; each mode also has its own dash pattern and marker, so it never depends on hue alone.
 */
export interface ModeStyle {
  readonly label: string;
  /** What the mode is, in one line, for legends. */
  readonly summary: string;
  /** SVG stroke and fill colour. */
  readonly color: string;
  /** SVG `stroke-dasharray`; empty for a solid line. */
  readonly dash: string;
  readonly marker: MarkerShape;
  /** SGR parameters for the terminal table. */
  readonly ansi: string;
}

/** Every mode in the order reports list them: the baseline first, then the checkpoint modes. */
export const MODE_ORDER: readonly Mode[] = BENCH_MODES;

const MODE_STYLES: Readonly<Record<Mode, ModeStyle>> = {
  off: {
    label: 'off',
    summary: 'no checkpoints (baseline)',
    color: '#5f5f5f',
    dash: '1 4',
    marker: 'cross',
    ansi: '90',
  },
  aligned: {
    label: 'aligned',
    summary: 'exactly-once; barriers wait behind queued data, inputs block while aligning',
    color: '#0072b2',
    dash: '',
    marker: 'circle',
    ansi: '34',
  },
  unaligned: {
    label: 'unaligned',
    summary: 'exactly-once; barriers overtake queued data, which is persisted as channel state',
    color: '#d55e00',
    dash: '7 4',
    marker: 'square',
    ansi: '33',
  },
  'aligned-timeout': {
    label: 'aligned-timeout',
    summary: 'starts aligned, switches to unaligned when alignment exceeds the timeout',
    color: '#009e73',
    dash: '2 3',
    marker: 'triangle',
    ansi: '32',
  },
  'at-least-once': {
    label: 'at-least-once',
    summary: 'barriers never block and nothing is persisted; records may be replayed twice',
    color: '#cc79a7',
    dash: '9 3 2 3',
    marker: 'diamond',
    ansi: '35',
  },
};

/** The style of a mode; an unknown mode (a newer runner) gets a neutral style under its own name. */
export function modeStyle(mode: Mode | string): ModeStyle {
  return (
    MODE_STYLES[mode as Mode] ?? {
      label: String(mode),
      summary: String(mode),
      color: '#333333',
      dash: '4 2 1 2',
      marker: 'cross',
      ansi: '0',
    }
  );
}

/** Position of a mode in {@link MODE_ORDER}; unknown modes sort last. */
export function modeRank(mode: Mode | string): number {
  const index = MODE_ORDER.indexOf(mode as Mode);
  return index === -1 ? MODE_ORDER.length : index;
}
