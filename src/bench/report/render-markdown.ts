import { formatCount, MISSING } from './format.js';
import { MODE_ORDER, modeStyle } from './modes.js';
import { READING_CAVEATS, READING_GUIDE } from './reading-guide.js';
import { formatOptionValue, headerFacts } from './report-header.js';
import type { BenchReport } from './report-types.js';
import { mixedParallelism, setupLabel } from './run-order.js';
import { buildScenarioTables, type ScenarioTable } from './table-model.js';

/** Text safe inside a Markdown table cell or paragraph: no pipes, no line breaks, no stray markup. */
function escapeMarkdown(text: string): string {
  return String(text)
    .replace(/\\/g, '\\\\')
    .replace(/([|*_`[\]<>])/g, '\\$1')
    .replace(/\r?\n/g, ' ');
}

function markdownTable(
  headings: readonly string[],
  aligns: ReadonlyArray<'left' | 'right'>,
  rows: readonly (readonly string[])[],
): string[] {
  return [
    `| ${headings.map(escapeMarkdown).join(' | ')} |`,
    `|${aligns.map((align) => (align === 'right' ? ' ---: ' : ' --- ')).join('|')}|`,
    ...rows.map((row) => `| ${row.map(escapeMarkdown).join(' | ')} |`),
  ];
}

function tableLines(table: ScenarioTable): string[] {
  return markdownTable(
    table.columns.map((column) => column.heading),
    table.columns.map((column) => column.align),
    table.rows.map((row) => row.cells.map((cell) => cell.text)),
  );
}

function scenarioSection(table: ScenarioTable, detail: ScenarioTable | undefined): string[] {
  const lines = [`## ${escapeMarkdown(table.info.title)}`, ''];
  if (table.info.description !== '') lines.push(escapeMarkdown(table.info.description), '');
  lines.push(...tableLines(table));
  if (table.comparisons.length > 0) {
    const withParallelism = mixedParallelism(table.rows.map((row) => row.run));
    lines.push('', '**Unaligned : aligned**', '');
    for (const comparison of table.comparisons) {
      lines.push(`- ${escapeMarkdown(setupLabel(comparison, withParallelism))}: ${escapeMarkdown(comparison.summary)}`);
    }
  }
  if (table.referenceLabels.length > 0) {
    lines.push('', `Flink reference figures: ${table.referenceLabels.map(escapeMarkdown).join('; ')}.`);
  }
  if (detail !== undefined && detail.rows.length > 0)
    lines.push('', '**Checkpoint details** (p50 over the completed checkpoints unless marked)', '', ...tableLines(detail));
  return lines;
}

function microSection(report: BenchReport): string[] {
  const micro = report.entries ?? [];
  if (micro.length === 0) return [];
  return [
    '## Micro-benchmarks (tinybench)',
    '',
    ...markdownTable(
      ['benchmark', 'median', 'unit', 'range', 'notes'],
      ['left', 'right', 'left', 'right', 'left'],
      micro.map((result) => [
        String(result.name),
        formatCount(Math.round(result.value)),
        String(result.unit),
        String(result.range ?? MISSING),
        String(result.extra ?? ''),
      ]),
    ),
  ];
}

function guideSection(): string[] {
  return [
    '## How to read this report',
    '',
    ...READING_GUIDE.map(
      (entry) =>
        `- **${escapeMarkdown(entry.term)}**${entry.flinkName === '' ? '' : ` (Flink: ${escapeMarkdown(entry.flinkName)})`}: ${escapeMarkdown(entry.meaning)}`,
    ),
    '',
    'Modes:',
    '',
    ...MODE_ORDER.map((mode) => `- **${mode}**: ${escapeMarkdown(modeStyle(mode).summary)}`),
    '',
    ...READING_CAVEATS.map((caveat) => `- ${escapeMarkdown(caveat)}`),
  ];
}

/**
 * report.md: title, where and how it ran, one table per scenario with the unaligned : aligned
 * ratios, the micro-benchmarks, the notes and a guide to the figures (with Flink's names).
 */
export function renderMarkdown(report: BenchReport): string {
  const lines = [
    '# sluice bench report',
    '',
    `sluice bench ${escapeMarkdown(String(report.version))}: what aligned, unaligned, aligned-with-timeout and at-least-once checkpoints cost under backpressure on this machine.`,
    '',
    ...markdownTable(
      ['', ''],
      ['left', 'left'],
      headerFacts(report).map(([label, value]) => [label, value]),
    ),
  ];
  const options = Object.entries(report.options ?? {});
  if (options.length > 0) {
    lines.push(
      '',
      '**Options**',
      '',
      ...options.map(([key, value]) => `- \`${key.replace(/`/g, "'")}\`: ${escapeMarkdown(formatOptionValue(key, value))}`),
    );
  }
  const tables = buildScenarioTables(report, { view: 'summary' });
  const details = buildScenarioTables(report, { view: 'detail' });
  if (tables.length === 0) lines.push('', 'This report has no runs.');
  tables.forEach((table, index) => lines.push('', ...scenarioSection(table, details[index])));
  const micro = microSection(report);
  if (micro.length > 0) lines.push('', ...micro);
  const notes = (report.notes ?? []).filter((note) => String(note).trim() !== '');
  if (notes.length > 0) lines.push('', '## Notes', '', ...notes.map((note) => `- ${escapeMarkdown(note)}`));
  lines.push('', ...guideSection());
  return lines.join('\n') + '\n';
}
