export type { BenchEntry, BenchResult } from './result-schema.js';
export type { MachineInfo, RunContext } from './run-context.js';
export { gitDirty, gitRevision, machineInfo, packageRoot, runContext } from './run-context.js';
export type { BenchMode } from './modes.js';
export { BENCH_MODES } from './modes.js';
export type { Summary } from './statistics.js';
export { entry, formatBinarySize, formatPercent, formatSI, summarize } from './statistics.js';
export type { SnapshotCodecUnderTest } from './snapshot-codecs.js';
export { snapshotCodecs } from './snapshot-codecs.js';
