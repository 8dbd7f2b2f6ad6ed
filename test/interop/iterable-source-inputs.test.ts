/**
 * What an iterable source reads: an async generator, an array, a byte Readable (one string
 * record per line, or one JSON value per line with `format: 'ndjson'`, a file stream among them),
 * and an object-mode Readable (its objects are the records). Records reach operators of another
 * parallelism (the source runs at 1).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allResults, ops, sluice } from './support/compiled.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sluice-iterable-inputs-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const sorted = <T>(values: T[]) => [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

describe('iterableSource', () => {
  it('reads an async generator into a collect sink', async () => {
    async function* numbers() {
      for (let i = 0; i < 5_000; i++) yield i;
    }
    const pipeline = new sluice.Pipeline({ name: 'generator', parallelism: 2 });
    pipeline.source(sluice.iterableSource(numbers())).map(ops.double).sink(sluice.collectSink<number>(), { name: 'out' });
    const result = await pipeline.execute();
    expect(sorted(sluice.collected<number>(result, 'out'))).toEqual(Array.from({ length: 5_000 }, (_, i) => i * 2).sort((a, b) => (a < b ? -1 : 1)));
    expect(result.operators['iterable-0']!.parallelism).toBe(1);
    expect(result.operators['map-1']!.parallelism).toBe(2);
  });

  it('reads an array', async () => {
    const pipeline = new sluice.Pipeline({ name: 'array', parallelism: 1 });
    pipeline.source(sluice.iterableSource([{ a: 1 }, { a: 2 }, { a: 3 }])).sink(sluice.resultsSink());
    expect(await allResults(pipeline.start())).toEqual([{ a: 1 }, { a: 2 }, { a: 3 }]);
  });

  it('reads the lines of a byte Readable, without their line breaks', async () => {
    const readable = Readable.from([Buffer.from('alpha\nbe'), Buffer.from('ta\r\ngamma\n\ndelta')], { objectMode: false });
    const pipeline = new sluice.Pipeline({ name: 'lines', parallelism: 1 });
    pipeline.source(sluice.iterableSource<string>(readable)).map(ops.upper).sink(sluice.resultsSink<string>());
    expect(await allResults(pipeline.start())).toEqual(['ALPHA', 'BETA', 'GAMMA', '', 'DELTA']);
  });

  it('reads NDJSON from a file stream', async () => {
    const file = path.join(dir, 'events.ndjson');
    const events = Array.from({ length: 2_000 }, (_, n) => ({ n, tag: `t${n % 7}` }));
    await writeFile(file, events.map((event) => JSON.stringify(event)).join('\n') + '\n');
    const pipeline = new sluice.Pipeline({ name: 'ndjson', parallelism: 1 });
    pipeline.source(sluice.iterableSource<{ n: number; tag: string }>(createReadStream(file), { format: 'ndjson' })).sink(sluice.resultsSink());
    expect(await allResults(pipeline.start())).toEqual(events);
  });

  it('takes the objects of an object-mode Readable as they are', async () => {
    const readable = Readable.from([{ id: 1 }, 'two', [3]]);
    const pipeline = new sluice.Pipeline({ name: 'objects', parallelism: 1 });
    pipeline.source(sluice.iterableSource(readable)).sink(sluice.resultsSink());
    expect(await allResults(pipeline.start())).toEqual([{ id: 1 }, 'two', [3]]);
  });
});
