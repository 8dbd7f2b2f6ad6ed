/**
 * Specs for sources and sinks you define yourself: `pipeline.source(sourceSpec(mySource, options))`
 * and `stream.sink(sinkSpec(mySink, options))` carry the definition's record and options types.
 */
import { ConfigurationError } from '../errors/sluice-error.js';
import type { SinkDefinition, SourceDefinition } from './functions.js';
import { isFunctionDefinition } from './functions.js';
import type { RecordShape, SinkSpec, SourceSpec } from './specs.js';
import { OBJECT_RECORDS } from './specs.js';

/** How a source defined with `defineSource` is added: its default name and record shape. */
export interface SourceSpecSettings {
  /** Default operator name (the operator's `name` option overrides it). Default 'source'. */
  readonly name?: string;
  /** Shape of the records it emits. Default: plain objects through msgpackr. */
  readonly returns?: RecordShape;
}

/**
 * A spec for a source defined with `defineSource` (or `defineIterableSource`): `options` are
 * handed to its factory in each subtask's worker, so they must be structured-cloneable.
 *
 * ```ts
 * pipeline.source(sourceSpec(counter, { upTo: 1000 })); // DataStream<number>
 * ```
 */
export function sourceSpec<T, Opt>(definition: SourceDefinition<T, Opt>, options: Opt, settings: SourceSpecSettings = {}): SourceSpec<T> {
  if (!isFunctionDefinition(definition) || definition.kind !== 'source') {
    throw new ConfigurationError('sourceSpec() needs a source defined with defineSource(import.meta, factory) and exported from its module');
  }
  return { fn: definition, options, name: settings.name ?? 'source', shape: settings.returns ?? OBJECT_RECORDS };
}

/**
 * A spec for a sink defined with `defineSink`: `options` are handed to its factory in each
 * subtask's worker, so they must be structured-cloneable.
 *
 * ```ts
 * stream.sink(sinkSpec(printer, { prefix: '> ' }));
 * ```
 */
export function sinkSpec<T, Opt>(definition: SinkDefinition<T, Opt>, options: Opt, settings: { readonly name?: string } = {}): SinkSpec<T> {
  if (!isFunctionDefinition(definition) || definition.kind !== 'sink') {
    throw new ConfigurationError('sinkSpec() needs a sink defined with defineSink(import.meta, factory) and exported from its module');
  }
  return { fn: definition, options, name: settings.name ?? 'sink' };
}
