/** Connectors: sources and sinks. */
export {
  GENERATOR_MAX_CATCH_UP_SECONDS,
  GENERATOR_VALUE_RANGE,
  generatorRecord,
  generatorSource,
  generatorSourceDefinition,
} from './generator.js';
export type {
  GeneratorPosition,
  GeneratorSplitsPosition,
  GeneratorSourceOptions,
  NumericGeneratorRecord,
  ObjectGeneratorRecord,
  ResolvedGeneratorOptions,
} from './generator.js';
export { FILE_SOURCE_READ_CHUNK_BYTES, fileSource, fileSourceDefinition } from './file-source.js';
export type {
  DeadLetterEntry,
  FileSourceFormat,
  FileSourceOptions,
  FileSourcePosition,
  FileSourceRangesPosition,
  MalformedLinePolicy,
  ResolvedFileSourceOptions,
} from './file-source.js';
export { fileSink, fileSinkDefinition } from './file-sink.js';
export type { FileSinkFormat, FileSinkOptions, FileSinkResult, FileSinkState, ResolvedFileSinkOptions } from './file-sink.js';
export { collectSink, collectSinkDefinition } from './collect-sink.js';
export { discardSink, discardSinkDefinition } from './discard-sink.js';
export type { DiscardSinkResult } from './discard-sink.js';
export type { RestorableSinkFunction } from './restorable-sink.js';
export { committedPartName, transactionalFileSink, transactionalFileSinkDefinition } from './transactional-file-sink.js';
export type {
  TransactionalFileSinkOptions,
  TransactionalFileSinkResult,
  TransactionalFileSinkState,
} from './transactional-file-sink.js';
export { iterableSource, iterableSourceDefinition, stdinSource } from './iterable-source.js';
export type { ByteStreamFormat, IterableSourceOptions } from './iterable-source.js';
export { defineIterableSource } from './worker-iterable-source.js';
export type { IterableSourceFactory, IterableSourceStart } from './worker-iterable-source.js';
export { RESULTS_SINK_DEFAULTS, resultsSink, resultsSinkDefinition } from './results-sink.js';
export type { ResultsSinkOptions, ResultsSinkResult } from './results-sink.js';
export { writableSink } from './writable-sink.js';
export type { WritableSinkOptions } from './writable-sink.js';
