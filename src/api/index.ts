export * from './context.js';
export * from './functions.js';
export * from './pipeline.js';
export * from './specs.js';
export * from './key-field.js';
export { Job } from './job.js';
export * from './connector-specs.js';
