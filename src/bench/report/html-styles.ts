/**
 * The stylesheet of report.html, inlined: system fonts only (the page must work offline),
 * text contrast of at least 4.5:1, tabular figures in tables.
 */
export const REPORT_CSS = `
:root { color-scheme: light; --text: #1b1b1b; --muted: #5c5c5c; --rule: #dcdcdc; --soft: #f4f4f2; --bad: #b00020; }
* { box-sizing: border-box; }
html { background: var(--soft); }
body { margin: 0; color: var(--text); font: 15px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif; }
main { max-width: 1140px; margin: 0 auto; padding: 28px 36px 64px; background: #ffffff; min-height: 100vh; }
h1 { font-size: 28px; margin: 0 0 4px; letter-spacing: -0.01em; }
h2 { font-size: 21px; margin: 44px 0 10px; padding-bottom: 6px; border-bottom: 1px solid var(--rule); }
h3 { font-size: 17px; margin: 28px 0 6px; }
p { margin: 6px 0 10px; max-width: 80ch; }
code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "Liberation Mono", monospace; font-size: 0.9em; }
.lede { color: var(--muted); margin: 0 0 18px; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 18px; margin: 0 0 12px; font-size: 14px; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; }
details.options { font-size: 14px; margin: 6px 0 0; }
details.options summary { cursor: pointer; color: var(--muted); }
.findings { list-style: none; padding: 0; margin: 8px 0 0; }
.findings li { margin: 4px 0; padding: 8px 12px; background: var(--soft); border-left: 4px solid #d55e00; border-radius: 2px; }
.findings .where { color: var(--muted); margin-right: 6px; }
.findings .ratio { font-weight: 650; }
figure { margin: 26px 0 34px; }
figure h3 { margin: 0 0 2px; }
figcaption { color: var(--muted); font-size: 14px; max-width: 92ch; margin: 0 0 8px; }
svg.chart { display: block; width: 100%; height: auto; font-family: inherit; }
.omitted { color: var(--muted); font-style: italic; }
.table-wrap { overflow-x: auto; margin: 8px 0; border: 1px solid var(--rule); border-radius: 4px; }
table { border-collapse: collapse; font-size: 13px; font-variant-numeric: tabular-nums; width: 100%; }
th, td { padding: 5px 7px; border-bottom: 1px solid #ececec; text-align: left; vertical-align: bottom; }
td { white-space: nowrap; }
th { line-height: 1.25; min-width: 3.2em; }
th { background: #fafafa; font-weight: 600; }
thead tr:first-child th[colspan] { text-align: center; border-bottom: 1px solid var(--rule); }
td.num, th.num { text-align: right; }
tbody tr.setup-start td { border-top: 2px solid #c8c8c8; }
tbody tr:hover td { background: #f7fbff; }
.swatch { display: inline-block; width: 11px; height: 11px; border-radius: 2px; margin-right: 7px; vertical-align: -1px; }
.muted { color: #6e6e6e; }
.bad { color: var(--bad); font-weight: 650; }
.explain { color: var(--muted); font-size: 14px; }
.ratios { margin: 6px 0 0 0; padding-left: 20px; font-size: 14px; }
details.checkpoint-details { margin: 10px 0 4px; font-size: 14px; }
details.checkpoint-details summary { cursor: pointer; color: var(--muted); }
.references { font-size: 14px; color: var(--muted); }
dl.guide dt { font-weight: 650; margin-top: 10px; }
dl.guide dd { margin: 2px 0 0 0; max-width: 90ch; }
dl.guide .flink { color: var(--muted); font-weight: 400; }
ul.modes { padding-left: 20px; }
footer { margin-top: 48px; color: var(--muted); font-size: 13px; }
@media print { html { background: #fff; } main { padding: 0; } figure { break-inside: avoid; } }
`;
