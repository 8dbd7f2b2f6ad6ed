/** sluice: a single-host stream processing engine for Node.js. */
export * from './api/index.js';
export * from './errors/index.js';
export { collected } from './runtime/job-result.js';
export type { ExecuteOptions, JobResult, OperatorStats } from './runtime/job-result.js';
export { LatencyHistogram } from './metrics/histogram.js';
export * from './connectors/index.js';
export type { JobArguments, JobModule } from './cli/job-module.js';
