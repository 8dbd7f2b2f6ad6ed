import { describe, expect, it } from 'vitest';
import {
  compareUnalignedWithAligned,
  MODE_ORDER,
  renderHtml,
  renderMarkdown,
  renderTable,
  type BenchReport,
  type BenchRun,
} from '../../src/bench/report/index.js';
import { edgeCaseReport, sampleReport } from '../fixtures/bench/sample-report.js';

const ESC = '\x1b';

/** The inline SVGs of one chart kind. */
function charts(html: string, kind: string): string[] {
  return html.match(new RegExp(`<svg\\b[^>]*data-chart="${kind}"[^>]*>[\\s\\S]*?</svg>`, 'g')) ?? [];
}

function count(text: string, pattern: RegExp): number {
  return (text.match(new RegExp(pattern.source, 'g')) ?? []).length;
}

function attributeValues(text: string, attribute: string): string[] {
  return [...text.matchAll(new RegExp(`<g ${attribute}="([^"]*)"`, 'g'))].map((match) => match[1]!);
}

function withRuns(runs: BenchRun[]): BenchReport {
  return { ...sampleReport(), runs };
}

describe('report.html charts', () => {
  const report = sampleReport();
  const html = renderHtml(report);

  it('draws checkpoint duration against channel capacity: a line per checkpoint mode, a point per capacity', () => {
    const [svg, ...others] = charts(html, 'checkpoint-duration');
    expect(others).toHaveLength(0);
    expect(attributeValues(svg!, 'data-series')).toEqual(['aligned', 'unaligned', 'aligned-timeout', 'at-least-once']);
    expect(count(svg!, /data-point="/)).toBe(12);
    expect(count(svg!, /data-line="/)).toBe(4);
    for (const capacity of ['64 KiB', '1 MiB', '8 MiB']) expect(svg).toContain(`>${capacity}</text>`);
    expect(svg).toContain('(log scale)');
  });

  it('draws latency p50, p99 and p99.9 for every mode, one panel per capacity', () => {
    const [svg] = charts(html, 'latency');
    expect(attributeValues(svg!, 'data-facet')).toEqual(['64 KiB', '1 MiB', '8 MiB']);
    expect(count(svg!, /<g data-group="/)).toBe(15);
    expect(count(svg!, /<g data-bar="/)).toBe(45);
    expect(svg).toContain('data-bar="unaligned@8388608/2/p999"');
  });

  it('draws persisted in-flight p50 and max for the modes that take checkpoints', () => {
    const [svg] = charts(html, 'persisted-in-flight');
    expect(count(svg!, /<g data-bar="/)).toBe(3 * 4 * 2);
    expect(svg).not.toContain('data-group="off@');
    expect(svg).toContain('>14.6 MiB</text>');
  });

  it("puts Flink's figures beside sluice's for the flink-ctb runs", () => {
    const [svg] = charts(html, 'flink-reference');
    expect(count(svg!, /<g data-bar="/)).toBe(4);
    expect(svg).toContain('>879</text>');
    expect(svg).toContain('>2.47</text>');
  });

  it('draws the unaligned backpressure timeline and the aligned one beside it, failed checkpoints apart', () => {
    const timelines = charts(html, 'timeline');
    expect(timelines).toHaveLength(2);
    const unaligned = report.runs.find(
      (run) => run.scenario === 'backpressure' && run.mode === 'unaligned' && run.channelBytes === 8 * 1024 * 1024,
    )!;
    const aligned = report.runs.find(
      (run) => run.scenario === 'backpressure' && run.mode === 'aligned' && run.channelBytes === 8 * 1024 * 1024,
    )!;
    expect(count(timelines[0]!, /<g data-span="/)).toBe(unaligned.timeline!.checkpoints.length);
    expect(count(timelines[1]!, /<g data-span="/)).toBe(aligned.timeline!.checkpoints.length);
    expect(count(timelines[1]!, /<g data-span="failed"/)).toBe(1);
    for (const svg of timelines) {
      expect(svg).toContain('data-line="p50"');
      expect(svg).toContain('data-line="p99"');
    }
  });

  it('gives every chart a title and a description, and unique ids', () => {
    const svgs = html.match(/<svg\b[\s\S]*?<\/svg>/g)!;
    expect(svgs).toHaveLength(6);
    for (const svg of svgs) {
      expect(svg).toMatch(/role="img"/);
      expect(svg).toMatch(/<title id="[^"]+">[^<]{10,}<\/title>/);
      expect(svg).toMatch(/<desc id="[^"]+">[^<]{20,}<\/desc>/);
    }
    const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((match) => match[1]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('leaves a chart out with a sentence when the report has no runs for it', () => {
    const throughputOnly = renderHtml(withRuns(report.runs.filter((run) => run.scenario === 'throughput')));
    for (const kind of ['checkpoint-duration', 'latency', 'persisted-in-flight', 'flink-reference', 'timeline']) {
      expect(charts(throughputOnly, kind)).toHaveLength(0);
    }
    expect(throughputOnly).toContain('no backpressure runs with checkpoints, so there is no chart of checkpoint duration');
    expect(throughputOnly).toContain('No run in this report recorded a timeline.');
  });

  it('draws single points, zeros on a log axis and one-sample timelines', () => {
    const edge = renderHtml(edgeCaseReport());
    const [durations] = charts(edge, 'checkpoint-duration');
    // aligned, unaligned and aligned-timeout (a p50 of 0, hollow on the floor); at-least-once completed none.
    expect(count(durations!, /data-point="/)).toBe(3);
    expect(count(durations!, /fill="#ffffff"/)).toBeGreaterThanOrEqual(1);
    expect(edge).toContain('No completed checkpoint to plot for at-least-once.');
    const [timeline] = charts(edge, 'timeline');
    expect(count(timeline!, /<g data-span="completed"/)).toBe(1);
  });
});

describe('unaligned : aligned ratios', () => {
  it('divides aligned checkpoint p50 by unaligned, and unaligned latency p99 by aligned', () => {
    const [comparison] = compareUnalignedWithAligned(edgeCaseReport().runs);
    expect(comparison!.checkpointDurationRatio).toBe(100);
    expect(comparison!.latencyP99Ratio).toBeCloseTo(0.9, 12);
    expect(comparison!.summary).toMatch(/^unaligned checkpoints 100x shorter; p99 latency 0\.9x/);
  });

  it('prints the ratios in the table, report.md and report.html', () => {
    const report = edgeCaseReport();
    expect(renderTable(report, { color: false })).toMatch(/256 KiB\s+unaligned checkpoints 100x shorter; p99 latency 0\.9x/);
    expect(renderMarkdown(report)).toContain('- 256 KiB: unaligned checkpoints 100x shorter; p99 latency 0.9x');
    expect(renderHtml(report)).toContain(
      'unaligned checkpoints <span class="ratio">100x</span> shorter; p99 latency <span class="ratio">0.9x</span>',
    );
  });

  it('computes one ratio per scenario and channel capacity of the sample', () => {
    const summaries = compareUnalignedWithAligned(sampleReport().runs).map((c) => `${c.scenario}@${c.channelBytes}: ${c.summary}`);
    expect(summaries).toEqual([
      'backpressure@65536: unaligned checkpoints 4.7x shorter; p99 latency 0.7x',
      'backpressure@1048576: unaligned checkpoints 40x shorter; p99 latency 0.9x',
      'backpressure@8388608: unaligned checkpoints 143x shorter; p99 latency 0.9x (from 6 aligned and 29 unaligned checkpoints)',
      'flink-ctb@1048576: unaligned checkpoints 182x shorter; p99 latency 0.9x',
      'throughput@1048576: unaligned checkpoints 1.1x shorter; p99 latency 1.1x',
      'recovery@1048576: unaligned checkpoints 39x shorter; p99 latency 0.9x',
    ]);
  });

  it('says "longer" when unaligned checkpoints take longer, and "not comparable" without checkpoints', () => {
    const [aligned, unaligned] = edgeCaseReport().runs.filter((run) => run.mode === 'aligned' || run.mode === 'unaligned');
    const swapped = [
      { ...aligned!, checkpoints: { ...aligned!.checkpoints, durationMs: { p50: 3, p99: 4, max: 5 } } },
      { ...unaligned!, checkpoints: { ...unaligned!.checkpoints, durationMs: { p50: 300, p99: 400, max: 500 } } },
    ];
    expect(compareUnalignedWithAligned(swapped)[0]!.summary).toMatch(/^unaligned checkpoints 100x longer/);
    const none = [swapped[0]!, { ...swapped[1]!, checkpoints: { ...swapped[1]!.checkpoints, completed: 0 } }];
    expect(compareUnalignedWithAligned(none)[0]!.summary).toMatch(/^checkpoint duration not comparable: no completed unaligned checkpoint/);
    expect(compareUnalignedWithAligned(none)[0]!.checkpointDurationRatio).toBeUndefined();
  });
});

describe('every output', () => {
  const reports = { sample: sampleReport(), edge: edgeCaseReport(), empty: withRuns([]) };

  it.each(Object.entries(reports))('never prints NaN, undefined or Infinity (%s report)', (_name, report) => {
    for (const output of [
      renderTable(report, { color: false }),
      renderTable(report, { color: true }),
      renderMarkdown(report),
      renderHtml(report),
    ]) {
      expect(output).not.toMatch(/NaN|undefined|Infinity/);
    }
  });

  it('colours the table only when asked', () => {
    const report = sampleReport();
    expect(renderTable(report, { color: false })).not.toContain(ESC);
    expect(renderTable(report, { color: true })).toContain(`${ESC}[`);
    expect(renderMarkdown(report)).not.toContain(ESC);
    expect(renderHtml(report)).not.toContain(ESC);
  });

  it('keeps report.html self-contained: no requests, no scripts, markup in the data escaped', () => {
    for (const report of Object.values(reports)) {
      const html = renderHtml(report);
      expect(html).not.toMatch(/https?:\/\//);
      expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|\ssrc=/i);
      expect([...html.matchAll(/url\(([^)]*)\)/g)].every((match) => match[1]!.startsWith('#'))).toBe(true);
    }
    const edge = renderHtml(reports.edge);
    expect(edge).toContain('&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;');
  });

  it('says so when there are no runs', () => {
    expect(renderTable(reports.empty, { color: false })).toContain('No runs.');
    expect(renderMarkdown(reports.empty)).toContain('This report has no runs.');
    expect(renderHtml(reports.empty)).toContain('This report has no runs.');
  });
});

describe('the terminal table', () => {
  /** Every results table: its rule, column labels and rows, colours stripped. */
  function tables(output: string): Array<{ rule: string; labels: string; rows: string[] }> {
    const lines = output.split('\n');
    const found: Array<{ rule: string; labels: string; rows: string[] }> = [];
    lines.forEach((line, index) => {
      if (!/^ {2}─+$/.test(line)) return;
      const rows: string[] = [];
      for (let next = index + 1; next < lines.length; next += 1) {
        const row = lines[next]!;
        const isRow = (text: string) => MODE_ORDER.some((mode) => text.startsWith(`  ${mode} `)) && !text.includes(' : aligned');
        if (isRow(row)) rows.push(row);
        else if (row !== '' || !isRow(lines[next + 1] ?? '')) break;
      }
      found.push({ rule: line, labels: lines[index - 1]!, rows });
    });
    return found;
  }

  it.each([
    ['sample', sampleReport()],
    ['edge', edgeCaseReport()],
  ])('right-aligns every column whatever the widths of the numbers (%s report)', (_name, report) => {
    const output = renderTable(report, { color: false });
    const found = tables(output);
    expect(found.length).toBe(new Set(report.runs.map((run) => run.scenario)).size);
    for (const { rule, labels, rows } of found) {
      expect(rows.length).toBeGreaterThan(0);
      const width = [...rule].length;
      expect([...labels].length).toBe(width);
      const labelEnds = [...labels.matchAll(/\S+(?: \S+)*/g)].slice(1).map((match) => match.index! + match[0].length);
      for (const row of rows) {
        expect([...row].length).toBe(width);
        for (const end of labelEnds) {
          expect([...row][end - 1]).not.toBe(' ');
          expect([...row][end] ?? ' ').toBe(' ');
        }
      }
    }
  });

  it('prints the same layout with colours, only the escape codes added', () => {
    const report = sampleReport();
    const plain = renderTable(report, { color: false });
    const coloured = renderTable(report, { color: true }).replace(/\x1b\[[0-9;]*m/g, '');
    expect(coloured).toBe(plain);
  });

  it("shows Flink's figure beside sluice's for flink-ctb runs", () => {
    const output = renderTable(sampleReport(), { color: false });
    const flink = output.slice(output.indexOf('flink-ctb'));
    expect(flink).toMatch(/aligned .*1,244 .* 879 +1\.4x/);
    expect(flink).toMatch(/unaligned .*6\.84 .* 2\.47 +2\.8x/);
  });
});
