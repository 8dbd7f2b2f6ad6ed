export * from './context.js';
export * from './functions.js';
export * from './pipeline.js';
export * from './specs.js';
export * from './key-field.js';
export { Job } from './job.js';
export * from './connector-specs.js';
export * from './event-time.js';
export { defineAggregate, defineWindowFunction, isLateRecord, maxTimestampOf, sessionWindows, slidingWindows, tumblingWindows } from './windows.js';
export type {
  AggregateDefinition,
  AggregateFunction,
  LateRecord,
  ProcessWindowFunction,
  TimeWindow,
  WindowAssigner,
  WindowFunctionDefinition,
} from './windows.js';
