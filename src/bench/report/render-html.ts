import { escapeXml } from './charts/svg.js';
import { compareUnalignedWithAligned } from './comparisons.js';
import { formatCount, MISSING } from './format.js';
import { REPORT_CSS } from './html-styles.js';
import { modeStyle } from './modes.js';
import { READING_CAVEATS, READING_GUIDE } from './reading-guide.js';
import { buildFigures, modesIn, type Figure } from './report-figures.js';
import { formatOptionValue, headerFacts } from './report-header.js';
import type { BenchReport } from './report-types.js';
import { mixedParallelism, setupLabel } from './run-order.js';
import { scenarioInfo } from './scenarios.js';
import { buildScenarioTables, type ScenarioTable, type TableCell, type TableColumn, type TableView } from './table-model.js';

const esc = escapeXml;

/** Wraps the ratios of a comparison sentence (`143x`) in a bold span. */
function emphasizeRatios(summary: string): string {
  return esc(summary).replace(/\d[\d,.]*x\b/g, (ratio) => `<span class="ratio">${ratio}</span>`);
}

function cellHtml(cell: TableCell, column: TableColumn): string {
  const classes = [column.align === 'right' ? 'num' : '', cell.tone === 'muted' ? 'muted' : '', cell.tone === 'bad' ? 'bad' : ''].filter(
    (c) => c !== '',
  );
  const classAttribute = classes.length > 0 ? ` class="${classes.join(' ')}"` : '';
  const content =
    cell.tone === 'mode'
      ? `<span class="swatch" style="background:${esc(modeStyle(cell.mode ?? cell.text).color)}"></span>${esc(cell.text)}`
      : esc(cell.text);
  return `<td${classAttribute}>${content}</td>`;
}

/** A two-row header: groups of several columns span them; a lone column spans both rows. */
function tableHead(columns: readonly TableColumn[]): string {
  const top: string[] = [];
  const bottom: string[] = [];
  for (let index = 0; index < columns.length;) {
    const column = columns[index]!;
    let end = index + 1;
    while (column.group !== '' && end < columns.length && columns[end]!.group === column.group) end += 1;
    const align = column.align === 'right' ? ' class="num"' : '';
    if (end - index > 1) {
      top.push(`<th colspan="${end - index}" scope="colgroup">${esc(column.group)}</th>`);
      for (const member of columns.slice(index, end))
        bottom.push(`<th scope="col"${member.align === 'right' ? ' class="num"' : ''}>${esc(member.label)}</th>`);
    } else {
      top.push(`<th rowspan="2" scope="col"${align}>${esc(column.heading)}</th>`);
    }
    index = end;
  }
  return `<thead><tr>${top.join('')}</tr><tr>${bottom.join('')}</tr></thead>`;
}

function tableHtml(table: ScenarioTable, view: TableView): string {
  const rows = table.rows
    .map(
      (row) =>
        `<tr${row.startsSetup ? ' class="setup-start"' : ''}>${row.cells.map((cell, index) => cellHtml(cell, table.columns[index]!)).join('')}</tr>`,
    )
    .join('\n');
  return `<div class="table-wrap"><table data-scenario="${esc(table.scenario)}" data-view="${view}">${tableHead(table.columns)}<tbody>\n${rows}\n</tbody></table></div>`;
}

function scenarioSection(table: ScenarioTable, detail: ScenarioTable | undefined): string {
  const parts = [
    `<h3 id="scenario-${esc(table.scenario)}">${esc(table.info.title)}</h3>`,
    table.info.description === '' ? '' : `<p>${esc(table.info.description)}</p>`,
    tableHtml(table, 'summary'),
  ];
  if (table.comparisons.length > 0) {
    const withParallelism = mixedParallelism(table.rows.map((row) => row.run));
    parts.push(
      `<p><strong>Unaligned : aligned</strong></p><ul class="ratios">${table.comparisons
        .map(
          (comparison) =>
            `<li data-comparison="${esc(`${comparison.scenario}@${comparison.channelBytes}/${comparison.parallelism}`)}">${esc(setupLabel(comparison, withParallelism))}: ${emphasizeRatios(comparison.summary)}</li>`,
        )
        .join('')}</ul>`,
    );
  }
  if (table.referenceLabels.length > 0)
    parts.push(`<p class="references">Flink reference figures: ${table.referenceLabels.map(esc).join('; ')}.</p>`);
  if (detail !== undefined && detail.rows.length > 0) {
    parts.push(
      `<details class="checkpoint-details" open><summary>Checkpoint details: alignment, start delay, phases, persisted data, size</summary>${tableHtml(detail, 'detail')}</details>`,
    );
  }
  return parts.join('\n');
}

function figureHtml(figure: Figure): string {
  if (figure.svg === undefined) {
    return `<figure data-figure="${esc(figure.kind)}"><h3>${esc(figure.heading)}</h3><p class="omitted">${esc(figure.omitted ?? 'No data.')}</p></figure>`;
  }
  return `<figure data-figure="${esc(figure.kind)}"><h3>${esc(figure.heading)}</h3><figcaption>${esc(figure.caption)}</figcaption>${figure.svg}</figure>`;
}

function findingsHtml(report: BenchReport): string {
  const comparisons = compareUnalignedWithAligned(report.runs);
  if (comparisons.length === 0)
    return '<p class="omitted">No scenario ran both aligned and unaligned checkpoints, so there is nothing to compare.</p>';
  const mixed = mixedParallelism(report.runs);
  return `<ul class="findings">${comparisons
    .map(
      (comparison) =>
        `<li><span class="where">${esc(scenarioInfo(comparison.scenario).title)}, ${esc(setupLabel(comparison, mixed))}:</span> ${emphasizeRatios(comparison.summary)}</li>`,
    )
    .join('')}</ul>`;
}

function microHtml(report: BenchReport): string {
  const micro = report.entries ?? [];
  if (micro.length === 0) return '';
  const rows = micro
    .map(
      (result) =>
        `<tr><td>${esc(String(result.name))}</td><td class="num">${esc(formatCount(Math.round(result.value)))}</td><td>${esc(String(result.unit))}</td><td class="num">${esc(String(result.range ?? MISSING))}</td><td>${esc(String(result.extra ?? ''))}</td></tr>`,
    )
    .join('\n');
  return `<h2 id="micro">Micro-benchmarks (tinybench)</h2>
<div class="table-wrap"><table data-micro><thead><tr><th>benchmark</th><th class="num">median</th><th>unit</th><th class="num">range</th><th>notes</th></tr></thead><tbody>
${rows}
</tbody></table></div>`;
}

function guideHtml(report: BenchReport): string {
  const entries = READING_GUIDE.map(
    (entry) =>
      `<dt>${esc(entry.term)}${entry.flinkName === '' ? '' : ` <span class="flink">(Flink: ${esc(entry.flinkName)})</span>`}</dt><dd>${esc(entry.meaning)}</dd>`,
  ).join('\n');
  const modes = modesIn(report)
    .map(
      (mode) =>
        `<li><span class="swatch" style="background:${esc(modeStyle(mode).color)}"></span><strong>${esc(mode)}</strong>: ${esc(modeStyle(mode).summary)}</li>`,
    )
    .join('');
  return `<h2 id="guide">How to read this report</h2>
<dl class="guide">
${entries}
</dl>
<h3>Modes</h3>
<ul class="modes">${modes}</ul>
<ul>${READING_CAVEATS.map((caveat) => `<li>${esc(caveat)}</li>`).join('')}</ul>`;
}

/**
 * report.html: one self-contained page (inline CSS and SVG, no scripts, fonts or requests):
 * where it ran, the unaligned : aligned findings, the charts, the tables, the
 * micro-benchmarks, the notes and a guide to the figures.
 */
export function renderHtml(report: BenchReport): string {
  const facts = headerFacts(report)
    .map(([label, value]) => `<dt>${esc(label)}</dt><dd>${esc(value)}</dd>`)
    .join('');
  const options = Object.entries(report.options ?? {});
  const optionsHtml =
    options.length === 0
      ? ''
      : `<details class="options" open><summary>Options</summary><dl class="facts">${options
          .map(([key, value]) => `<dt><code>${esc(key)}</code></dt><dd>${esc(formatOptionValue(key, value))}</dd>`)
          .join('')}</dl></details>`;
  const tables = buildScenarioTables(report, { view: 'summary' });
  const details = buildScenarioTables(report, { view: 'detail' });
  const notes = (report.notes ?? []).filter((note) => String(note).trim() !== '');
  const body = [
    '<h1>sluice bench report</h1>',
    `<p class="lede">What aligned, unaligned, aligned-with-timeout and at-least-once checkpoints cost under backpressure, measured on this machine by sluice bench ${esc(String(report.version))}.</p>`,
    `<dl class="facts">${facts}</dl>`,
    optionsHtml,
    '<h2 id="findings">Unaligned compared with aligned</h2>',
    '<p class="explain">For each scenario and channel capacity that ran both: how many times shorter the unaligned checkpoints were (aligned p50 ÷ unaligned p50), and the unaligned p99 latency as a multiple of the aligned one (below 1x: lower).</p>',
    findingsHtml(report),
    '<h2 id="charts">Charts</h2>',
    ...buildFigures(report).map(figureHtml),
    '<h2 id="results">Results per scenario</h2>',
    tables.length === 0
      ? '<p class="omitted">This report has no runs.</p>'
      : tables.map((table, index) => scenarioSection(table, details[index])).join('\n'),
    microHtml(report),
    notes.length === 0 ? '' : `<h2 id="notes">Notes</h2><ul class="notes">${notes.map((note) => `<li>${esc(note)}</li>`).join('')}</ul>`,
    guideHtml(report),
    `<footer>Generated by sluice bench ${esc(String(report.version))}; the data is in report.json beside this file.</footer>`,
  ].filter((part) => part !== '');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>sluice bench report</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<main>
${body.join('\n')}
</main>
</body>
</html>
`;
}
