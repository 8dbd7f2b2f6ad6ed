/** The report of `sluice bench`: its schema and the stdout table, report.md and report.html renderers. */
export type {
  BenchMachine,
  BenchReport,
  BenchRun,
  LatencySample,
  MicroResult,
  Mode,
  RunCheckpoints,
  RunReference,
  RunTimeline,
  Scenario,
  Stat,
  TimelineCheckpoint,
} from './report-types.js';
export { compareUnalignedWithAligned } from './comparisons.js';
export type { UnalignedComparison } from './comparisons.js';
export { formatBytes, formatDuration, formatMs, formatRate, formatRatio, MISSING } from './format.js';
export { MODE_ORDER, modeStyle } from './modes.js';
export type { MarkerShape, ModeStyle } from './modes.js';
export { SCENARIO_ORDER, scenarioInfo } from './scenarios.js';
export type { ScenarioInfo } from './scenarios.js';
export { renderTable } from './render-table.js';
export type { TableRenderOptions } from './render-table.js';
export { renderMarkdown } from './render-markdown.js';
export { renderHtml } from './render-html.js';
export { writeReport } from './write-report.js';
export type { WrittenReport } from './write-report.js';
