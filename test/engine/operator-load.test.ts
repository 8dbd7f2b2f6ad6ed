/**
 * A function the engine cannot load for a worker (not exported from its module, a module that
 * does not exist, a TypeScript module) makes execute() reject with an OperatorLoadError
 * (SLUICE_OPERATOR_LOAD) that names the operator and the module and says what to do.
 */
import { describe, expect, it } from 'vitest';
import type { MapDefinition } from '../../src/index.js';
// Deliberately the TypeScript module: its functions carry a .ts module URL.
import * as typescriptOps from '../fixtures/engine/ops.js';
import { failures, ops, sinks, sluice, sources } from './support/compiled.js';
import { failureOf } from './support/jobs.js';

const { Pipeline, OperatorLoadError } = sluice;

const compiledFailures = new URL('../../dist/test/fixtures/engine/failures.js', import.meta.url).href;

function pipelineWith(map: MapDefinition<any, unknown>) {
  const pipeline = new Pipeline({ parallelism: 1 });
  pipeline
    .source(sources.arraySourceSpec([[{ id: 1, k: 'a', v: 1 }]]), { name: 'items' })
    .map(map, { name: 'load-me' })
    .sink(sinks.collectSpec(), { name: 'out' });
  return pipeline;
}

async function loadFailure(pipeline: InstanceType<typeof Pipeline>) {
  const error = await failureOf(pipeline.execute());
  expect(error).toBeInstanceOf(OperatorLoadError);
  expect(error.code).toBe('SLUICE_OPERATOR_LOAD');
  return error;
}

describe('operator load errors', () => {
  it('a definition its module does not export: says to export it', async () => {
    const unexported = failures.makeUnexportedMap();
    expect(unexported.moduleUrl).toBe(compiledFailures);
    const error = await loadFailure(pipelineWith(unexported));
    expect(error.message).toBe(
      `operator 'load-me': the map function defined in ${compiledFailures} is not exported from it; ` +
        'export it (export const f = define...(import.meta, ...)) so worker threads can find it',
    );
  });

  it('a definition whose module does not exist: names the module, with the import error as cause', async () => {
    const missing = { __sluice: 'function', kind: 'map', moduleUrl: 'file:///nonexistent/x.js', impl: (x: unknown) => x } as const;
    const error = await loadFailure(pipelineWith(missing));
    expect(error.message).toBe("operator 'load-me': cannot import its module file:///nonexistent/x.js");
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('a function defined in a TypeScript module: says to compile it', async () => {
    expect(typescriptOps.tripleV.moduleUrl).toMatch(/\/test\/fixtures\/engine\/ops\.ts$/);
    const error = await loadFailure(pipelineWith(typescriptOps.tripleV));
    expect(error.message).toContain(`its function is defined in ${typescriptOps.tripleV.moduleUrl}, a TypeScript file`);
    expect(error.message).toContain('Compile the module (tsc) and import the function from the .js file');
  });

  it('a key selector defined in a TypeScript module, in a pipeline that is otherwise compiled', async () => {
    const pipeline = new Pipeline({ parallelism: 1 });
    pipeline
      .source(sources.arraySourceSpec([[{ id: 1, k: 'a', v: 1 }]]), { name: 'items' })
      .keyBy(typescriptOps.keyOfItem)
      .reduce(ops.sumV, { name: 'sum' })
      .sink(sinks.collectSpec(), { name: 'out' });
    const error = await loadFailure(pipeline);
    expect(error.message).toMatch(/^operator 'sum': .*ops\.ts, a TypeScript file/);
  });
});
