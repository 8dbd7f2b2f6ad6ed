/**
 * Mistakes in building a pipeline are ConfigurationErrors (SLUICE_CONFIGURATION), thrown
 * where the mistake is made (or by execute(), for a missing sink), with a message that says
 * what is wrong and what to do.
 */
import { describe, expect, it } from 'vitest';
import { ops, sinks, sluice, sources } from './support/compiled.js';
import { failureOf } from './support/jobs.js';

const { Pipeline, DataStream, ConfigurationError, numericRecords } = sluice;

/** Expects `action` to throw a ConfigurationError whose message is `message` (or matches it). */
function expectConfigurationError(action: () => unknown, message: string | RegExp) {
  let thrown: unknown;
  try {
    action();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(ConfigurationError);
  expect((thrown as { code: string }).code).toBe('SLUICE_CONFIGURATION');
  if (typeof message === 'string') expect((thrown as Error).message).toBe(message);
  else expect((thrown as Error).message).toMatch(message);
}

const items = () => sources.arraySourceSpec([[{ id: 1, k: 'a', v: 1 }]]);

describe('configuration errors', () => {
  it('a parallelism that is not a positive integer', () => {
    expectConfigurationError(() => new Pipeline({ parallelism: 0 }), 'options.parallelism must be a positive integer, got 0');
    expectConfigurationError(() => new Pipeline({ parallelism: 1.5 }), 'options.parallelism must be a positive integer, got 1.5');
    const pipeline = new Pipeline();
    expectConfigurationError(
      () => pipeline.source(items(), { name: 'items', parallelism: 0 }),
      "operator 'items': parallelism must be a positive integer, got 0",
    );
  });

  it('a parallelism above maxParallelism', () => {
    expectConfigurationError(
      () => new Pipeline({ parallelism: 8, maxParallelism: 4 }),
      'options.parallelism (8) exceeds options.maxParallelism (4)',
    );
    const stream = new Pipeline({ maxParallelism: 4 }).source(items());
    expectConfigurationError(
      () => stream.map(ops.tripleV, { name: 'wide', parallelism: 5 }),
      "operator 'wide': parallelism 5 exceeds maxParallelism 4",
    );
  });

  it('a channel size that is not a power of two', () => {
    expectConfigurationError(
      () => new Pipeline({ channelBytes: 5000 }),
      'options.channelBytes must be a power of two of at least 4096, got 5000',
    );
  });

  it('two operators with the same name', () => {
    const stream = new Pipeline().source(items(), { name: 'items' }).map(ops.tripleV, { name: 'twice' });
    expectConfigurationError(
      () => stream.map(ops.tripleV, { name: 'twice' }),
      "operator name 'twice' is used twice in this pipeline; names must be unique",
    );
    expectConfigurationError(
      () => stream.sink(sinks.collectSpec(), { name: 'items' }),
      "operator name 'items' is used twice in this pipeline; names must be unique",
    );
  });

  it('a slot sharing group that is not a non-empty string', () => {
    const stream = new Pipeline().source(items(), { name: 'items' });
    expectConfigurationError(
      () => stream.map(ops.tripleV, { name: 'unnamed-group', slotSharingGroup: '' }),
      "operator 'unnamed-group': slotSharingGroup must be a non-empty string, got ''; omit it for the default group",
    );
    expectConfigurationError(
      () => stream.sink(sinks.collectSpec(), { name: 'numbered-group', slotSharingGroup: 2 as unknown as string }),
      "operator 'numbered-group': slotSharingGroup must be a non-empty string, got 2; omit it for the default group",
    );
    expectConfigurationError(
      () => new Pipeline().source(items(), { name: 'items', slotSharingGroup: null as unknown as string }),
      "operator 'items': slotSharingGroup must be a non-empty string, got null; omit it for the default group",
    );
  });

  it('no sink: execute() rejects before starting anything', async () => {
    const pipeline = new Pipeline();
    pipeline.source(items()).map(ops.tripleV);
    const error = await failureOf(pipeline.execute());
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toBe('the pipeline has no sink: add one with stream.sink(...)');
  });

  it('keyBy an index beyond the fields of numeric records, or not an index at all', () => {
    const stream = new Pipeline().source(sources.arraySourceSpec([[[1, 2, 3]]], numericRecords(3)), { name: 'triples' });
    expectConfigurationError(() => stream.keyBy(3), "keyBy(3): records of 'triples' have only 3 fields");
    expectConfigurationError(() => stream.keyBy(-1), 'keyBy(-1): an index key must be a non-negative integer');
    expectConfigurationError(() => stream.keyBy(1.5), 'keyBy(1.5): an index key must be a non-negative integer');
    expect(() => stream.keyBy(2)).not.toThrow();
  });

  it('a plain function where a defined one is needed: says which define* helper to wrap it with', () => {
    const stream = new Pipeline().source(items());
    const plain = (x: unknown) => x;
    const wrapWith = (helper: string) =>
      new RegExp(`needs a function defined with sluice's define\\* helpers: wrap it with ${helper}\\(import\\.meta, fn\\) in a module and export it$`);
    expectConfigurationError(() => stream.map(plain as never), wrapWith('defineMap'));
    expectConfigurationError(() => stream.filter(plain as never), wrapWith('defineFilter'));
    expectConfigurationError(() => stream.flatMap(plain as never), wrapWith('defineFlatMap'));
    expectConfigurationError(() => stream.keyBy(plain as never), wrapWith('defineKeySelector'));
    expectConfigurationError(() => stream.keyBy('k').reduce(plain as never), wrapWith('defineReduce'));
    expectConfigurationError(() => stream.keyBy('k').process(plain as never), wrapWith('defineProcess'));
  });

  it('a function of the wrong kind', () => {
    const stream = new Pipeline().source(items());
    expectConfigurationError(
      () => stream.map(ops.evenV as never),
      /^map\(\) needs a map function, got a filter function \(from file:.*\/ops\.js\)$/,
    );
  });

  it('a source or sink that is not a spec', () => {
    const pipeline = new Pipeline();
    expectConfigurationError(
      () => pipeline.source(sources.arraySource as never),
      /^pipeline\.source\(\) needs a source spec/,
    );
    expectConfigurationError(() => pipeline.source(items()).sink(sinks.collectingSink as never), /^sink\(\) needs a sink spec/);
  });

  it('a union of numeric and object streams', () => {
    const pipeline = new Pipeline();
    const objects = pipeline.source(items(), { name: 'objects' });
    const numbers = pipeline.source(sources.arraySourceSpec([[[1, 2, 3]]], numericRecords(3)), { name: 'numbers' });
    expectConfigurationError(
      () => objects.union(numbers as never),
      "union(): 'numbers' emits numeric(3) records, 'objects' object",
    );
  });

  it('a forward edge between unequal parallelism (only reachable through the internal DataStream constructor)', async () => {
    // The public API has no forward(); 'auto' edges become rebalance when parallelism differs.
    const pipeline = new Pipeline();
    const source = pipeline.source(items(), { name: 'items', parallelism: 2 });
    const forward = new DataStream(pipeline, source.node, { type: 'forward' });
    forward.map(ops.tripleV, { name: 'narrow', parallelism: 1 }).sink(sinks.collectSpec());
    const error = await failureOf(pipeline.execute());
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toBe("forward edge 'items' -> 'narrow' joins parallelism 2 to 1; use rebalance()");
  });

  it('a second execute() while the first runs', async () => {
    const pipeline = new Pipeline();
    pipeline.source(items()).sink(sinks.collectSpec());
    const first = pipeline.execute();
    const error = await failureOf(pipeline.execute());
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toBe('this pipeline is already executing; await the first execute()');
    await first;
  });
});
