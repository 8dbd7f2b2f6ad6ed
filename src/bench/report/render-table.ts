import { formatCount, MISSING } from './format.js';
import { modeStyle } from './modes.js';
import { formatOptionValue, headerFacts } from './report-header.js';
import type { BenchReport } from './report-types.js';
import { mixedParallelism, setupLabel } from './run-order.js';
import { buildScenarioTables, type ScenarioTable, type TableCell, type TableColumn } from './table-model.js';

/** How the terminal table is printed. */
export interface TableRenderOptions {
  /** ANSI colours; the caller decides (stdout is a TTY and NO_COLOR is unset). */
  readonly color: boolean;
}

const COLUMN_GAP = '  ';
const DESCRIPTION_WIDTH = 110;
const INDENT = '  ';

type Paint = (text: string, sgr: string) => string;

/** Width in terminal columns: code points, since every character the table prints is one column wide. */
function width(text: string): number {
  return [...text].length;
}

/** Words of `text` in lines of at most `limit` columns (a longer word gets its own line). */
function wrap(text: string, limit: number): string[] {
  const lines: string[] = [];
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    const last = lines.at(-1);
    if (last !== undefined && width(last) + 1 + width(word) <= limit) lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  return lines;
}

function pad(text: string, size: number, align: 'left' | 'right'): string {
  const fill = ' '.repeat(Math.max(0, size - width(text)));
  return align === 'left' ? text + fill : fill + text;
}

/** One cell of a line: its text padded to the column, and how to paint it (SGR parameters, or a function of the padded text). */
interface LineCell {
  readonly text: string;
  readonly width: number;
  readonly align: 'left' | 'right';
  readonly sgr: string | ((padded: string) => string);
}

/**
 * Cells padded and joined, trailing blanks removed before painting (once painted, the
 * escape codes would hide them from `trimEnd`).
 */
function joinCells(cells: readonly LineCell[], paint: Paint): string {
  const paintCell = (text: string, cell: LineCell) => (typeof cell.sgr === 'string' ? paint(text, cell.sgr) : cell.sgr(text));
  const padded = cells.map((cell) => pad(cell.text, cell.width, cell.align));
  let last = padded.length - 1;
  while (last >= 0 && padded[last]!.trim() === '') last -= 1;
  if (last < 0) return '';
  padded[last] = padded[last]!.trimEnd();
  return padded
    .slice(0, last + 1)
    .map((text, index) => paintCell(text, cells[index]!))
    .join(COLUMN_GAP);
}

function cellSgr(cell: TableCell): string {
  switch (cell.tone) {
    case 'mode':
      return modeStyle(cell.mode ?? cell.text).ansi;
    case 'muted':
      return '2';
    case 'bad':
      return '1;31';
    case 'plain':
      return '';
  }
}

/** Consecutive columns under one group heading, by index. */
interface Span {
  readonly group: string;
  readonly first: number;
  last: number;
}

function groupSpans(columns: readonly TableColumn[]): Span[] {
  const spans: Span[] = [];
  columns.forEach((column, index) => {
    const previous = spans.at(-1);
    if (previous !== undefined && column.group !== '' && previous.group === column.group) previous.last = index;
    else spans.push({ group: column.group, first: index, last: index });
  });
  return spans;
}

function spanWidth(widths: readonly number[], span: Span): number {
  return widths.slice(span.first, span.last + 1).reduce((sum, w) => sum + w, 0) + COLUMN_GAP.length * (span.last - span.first);
}

/**
 * Column widths fitting every cell and label, widened so each group heading fits: above a
 * single column as plain text, above several as `─ heading ─`, the extra width shared out.
 */
function columnWidths(table: ScenarioTable, spans: readonly Span[]): number[] {
  const widths = table.columns.map((column, index) =>
    Math.max(width(column.label), ...table.rows.map((row) => width(row.cells[index]!.text))),
  );
  for (const span of spans) {
    const columns = span.last - span.first + 1;
    const needed = width(span.group) + (columns > 1 ? 4 : 0);
    const missing = needed - spanWidth(widths, span);
    for (let offset = 0; offset < columns && missing > 0; offset += 1) {
      widths[span.last - offset]! += Math.floor(missing / columns) + (offset < missing % columns ? 1 : 0);
    }
  }
  return widths;
}

function renderGroupLine(table: ScenarioTable, spans: readonly Span[], widths: readonly number[], paint: Paint): string {
  const cells = spans.map((span): LineCell => {
    const total = spanWidth(widths, span);
    if (span.first === span.last) return { text: span.group, width: total, align: table.columns[span.first]!.align, sgr: '1' };
    const label = ` ${span.group} `;
    const left = Math.floor((total - width(label)) / 2);
    const right = total - width(label) - left;
    // A dim rule either side of the bold heading.
    return {
      text: '─'.repeat(left) + label + '─'.repeat(right),
      width: total,
      align: 'left',
      sgr: () => paint('─'.repeat(left), '2') + paint(label, '1') + paint('─'.repeat(right), '2'),
    };
  });
  return joinCells(cells, paint);
}

function renderScenario(table: ScenarioTable, paint: Paint): string[] {
  const spans = groupSpans(table.columns);
  const widths = columnWidths(table, spans);
  const totalWidth = widths.reduce((sum, w) => sum + w, 0) + COLUMN_GAP.length * (widths.length - 1);
  const lines = [paint(table.info.title, '1;4') + paint(` · ${table.scenario}`, '2')];
  for (const text of wrap(table.info.description, DESCRIPTION_WIDTH)) lines.push(INDENT + paint(text, '2'));
  lines.push('');
  lines.push(INDENT + renderGroupLine(table, spans, widths, paint));
  lines.push(
    INDENT +
      joinCells(
        table.columns.map((column, index) => ({ text: column.label, width: widths[index]!, align: column.align, sgr: '1' })),
        paint,
      ),
  );
  lines.push(INDENT + paint('─'.repeat(totalWidth), '2'));
  for (const row of table.rows) {
    if (row.startsSetup) lines.push('');
    lines.push(
      INDENT +
        joinCells(
          row.cells.map((cell, index) => ({
            text: cell.text,
            width: widths[index]!,
            align: table.columns[index]!.align,
            sgr: cellSgr(cell),
          })),
          paint,
        ),
    );
  }
  if (table.comparisons.length > 0) {
    const withParallelism = mixedParallelism(table.rows.map((row) => row.run));
    const labels = table.comparisons.map((comparison) => setupLabel(comparison, withParallelism));
    const labelWidth = Math.max(...labels.map(width));
    lines.push('', INDENT + paint('unaligned : aligned', '1'));
    table.comparisons.forEach((comparison, index) => {
      const summary = comparison.summary.replace(/\d[\d,.]*x\b/g, (ratio) => paint(ratio, '1'));
      lines.push(`${INDENT}${INDENT}${pad(labels[index]!, labelWidth, 'left')}  ${summary}`);
    });
  }
  if (table.referenceLabels.length > 0)
    lines.push(`${INDENT}${paint('Flink reference figures:', '2')} ${table.referenceLabels.join('; ')}`);
  return lines;
}

function renderMicro(report: BenchReport, paint: Paint): string[] {
  const micro = report.entries ?? [];
  if (micro.length === 0) return [];
  const rows = micro.map((result) => [
    String(result.name),
    `${formatCount(Math.round(result.value))} ${result.unit}`,
    String(result.range ?? MISSING),
    String(result.extra ?? ''),
  ]);
  const headings = ['micro-benchmark', 'median', 'range', ''];
  const aligns = ['left', 'right', 'right', 'left'] as const;
  const widths = headings.map((heading, index) => Math.max(width(heading), ...rows.map((row) => width(row[index]!))));
  return [
    paint('Micro-benchmarks (tinybench)', '1;4'),
    INDENT +
      joinCells(
        headings.map((heading, index) => ({ text: heading, width: widths[index]!, align: aligns[index]!, sgr: '1' })),
        paint,
      ),
    ...rows.map(
      (row) =>
        INDENT +
        joinCells(
          row.map((cell, index) => ({ text: cell, width: widths[index]!, align: aligns[index]!, sgr: '' })),
          paint,
        ),
    ),
  ];
}

/**
 * The stdout table of `sluice bench`: a header naming the machine, then one table per scenario
 * (one row per run), the unaligned : aligned ratios per channel capacity, Flink's reference
 * labels, the micro-benchmarks and the notes.
 */
export function renderTable(report: BenchReport, options: TableRenderOptions): string {
  const paint: Paint = options.color ? (text, sgr) => (sgr === '' || text === '' ? text : `\x1b[${sgr}m${text}\x1b[0m`) : (text) => text;
  const facts = headerFacts(report);
  const fact = ([label, value]: readonly [string, string]) => `${paint(label, '2')} ${value}`;
  const lines = [
    `${paint('sluice bench', '1')} ${report.version} · ${facts.slice(0, 2).map(fact).join(' · ')}`,
    facts.slice(2).map(fact).join(' · '),
  ];
  const optionText = Object.entries(report.options ?? {}).map(([key, value]) => `${key}=${formatOptionValue(key, value)}`);
  if (optionText.length > 0) lines.push(`${paint('options', '2')} ${optionText.join(' ')}`);
  const tables = buildScenarioTables(report, { view: 'summary', compact: true });
  if (tables.length === 0) lines.push('', 'No runs.');
  for (const table of tables) lines.push('', ...renderScenario(table, paint));
  const micro = renderMicro(report, paint);
  if (micro.length > 0) lines.push('', ...micro);
  const notes = (report.notes ?? []).filter((note) => String(note).trim() !== '');
  if (notes.length > 0) lines.push('', paint('Notes', '1;4'), ...notes.map((note) => `${INDENT}• ${note}`));
  return lines.join('\n') + '\n';
}
