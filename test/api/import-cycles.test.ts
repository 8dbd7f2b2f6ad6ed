/**
 * The sources have no import cycle: api -> plan -> runtime and the rest form a graph that can
 * be loaded (and read) from the leaves up. Type-only imports count: a cycle of types still
 * ties two modules together.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importCycles, importGraph } from '../support/import-graph.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('import graph of src/', () => {
  it('finds a cycle when there is one (the check can fail)', () => {
    const graph = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts']],
      ['d.ts', ['a.ts']],
    ]);
    expect(importCycles(graph)).toEqual([['a.ts', 'b.ts', 'c.ts']]);
  });

  it('reads the imports of the real sources', () => {
    const graph = importGraph(path.join(root, 'src'));
    expect(graph.get('api/pipeline.ts')).toContain('plan/logical-graph.ts');
    expect(graph.get('plan/planner.ts')).toContain('plan/job-settings.ts');
  });

  it('has no cycle', () => {
    expect(importCycles(importGraph(path.join(root, 'src')))).toEqual([]);
  });
});
