/**
 * The file sink writes one line per record: `path` at parallelism 1, `path/part-<i>` above;
 * `finish()` reports what it wrote, write errors surface, and a restore from a snapshot
 * leaves each record in the file once.
 */
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fileSink } from '../../src/connectors/index.js';
import type { FileSinkResult, FileSinkState, RestorableSinkFunction } from '../../src/connectors/index.js';
import { SluiceError } from '../../src/errors/index.js';
import { createSink, sinkContext, temporaryDirectory } from './support/harness.js';

type FileSinkInstance = RestorableSinkFunction<unknown, FileSinkResult, FileSinkState>;

/** Records with multi-byte text, enough to cross the 64 KiB flush threshold many times. */
const records = Array.from({ length: 20_000 }, (_, i) => ({ id: i, text: `row ${i} ünïcødé 😀` }));

describe('file sink output', () => {
  let directory: Awaited<ReturnType<typeof temporaryDirectory>>;
  beforeEach(async () => {
    directory = await temporaryDirectory();
  });
  afterEach(async () => {
    await directory.remove();
  });

  async function writeAll(path: string, format: 'lines' | 'ndjson', parallelism: number, input: unknown[][]) {
    const spec = fileSink({ path, format });
    const results: FileSinkResult[] = [];
    for (let subtaskIndex = 0; subtaskIndex < parallelism; subtaskIndex++) {
      const sink = createSink(spec);
      await sink.open?.(sinkContext(subtaskIndex, parallelism));
      for (const record of input[subtaskIndex]!) sink.write(record, 0);
      results.push((await sink.finish?.()) as FileSinkResult);
      await sink.close?.();
      await sink.close?.(); // idempotent
    }
    return results;
  }

  it('writes exactly the path at parallelism 1 (ndjson)', async () => {
    const path = join(directory.path, 'nested', 'out.ndjson');
    const [result] = await writeAll(path, 'ndjson', 1, [records]);
    const expected = records.map((record) => `${JSON.stringify(record)}\n`).join('');
    expect(await readFile(path, 'utf8')).toBe(expected);
    expect(result).toEqual({ path, records: records.length, bytes: Buffer.byteLength(expected) });
  });

  it('writes part files into the directory at parallelism 3 (lines)', async () => {
    const path = join(directory.path, 'out');
    const input = [0, 1, 2].map((part) => records.filter((record) => record.id % 3 === part).map((record) => record.text));
    input[2] = []; // a subtask that receives nothing still writes its (empty) part
    const results = await writeAll(path, 'lines', 3, input);
    expect((await readdir(path)).sort()).toEqual(['part-0', 'part-1', 'part-2']);
    for (let part = 0; part < 3; part++) {
      const expected = input[part]!.map((line) => `${line}\n`).join('');
      expect(await readFile(join(path, `part-${part}`), 'utf8')).toBe(expected);
      expect(results[part]).toEqual({ path: join(path, `part-${part}`), records: input[part]!.length, bytes: Buffer.byteLength(expected) });
    }
  });

  it('writes String(record) per line in the lines format', async () => {
    const path = join(directory.path, 'values.txt');
    await writeAll(path, 'lines', 1, [[1, 'two', null, [3, 4], true]]);
    expect(await readFile(path, 'utf8')).toBe('1\ntwo\nnull\n3,4\ntrue\n');
  });

  it('rejects a record with no JSON form', async () => {
    const sink = createSink(fileSink({ path: join(directory.path, 'x.ndjson'), format: 'ndjson' }));
    await sink.open?.(sinkContext(0, 1));
    expect(() => sink.write(undefined, 0)).toThrow(TypeError);
    await sink.close?.();
  });

  it('surfaces a write error from finish()', async () => {
    // Every write to /dev/full fails with ENOSPC.
    const sink = createSink(fileSink({ path: '/dev/full', format: 'lines' }));
    await sink.open?.(sinkContext(0, 1));
    for (let i = 0; i < 10; i++) sink.write('x'.repeat(1000), 0);
    const failure = await Promise.resolve(sink.finish?.()).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(SluiceError);
    expect((failure as SluiceError).code).toBe('SLUICE_FILE_WRITE');
    expect((failure as SluiceError).message).toContain('/dev/full');
    await sink.close?.();
  });

  it('throws a write error from the next write()', async () => {
    const sink = createSink(fileSink({ path: '/dev/full', format: 'lines' })) as FileSinkInstance;
    await sink.open(sinkContext(0, 1));
    for (let i = 0; i < 100; i++) sink.write('x'.repeat(1000), 0);
    await expect(sink.snapshotState()).rejects.toThrow(/ENOSPC/);
    expect(() => sink.write('more', 0)).toThrow(SluiceError);
    await sink.close?.();
  });

  it('truncates to the snapshot on restore, so records after it are written once', async () => {
    const path = join(directory.path, 'restored.ndjson');
    const spec = fileSink({ path, format: 'ndjson' });
    const cut = 12_345;
    const first = createSink(spec) as FileSinkInstance;
    await first.open(sinkContext(0, 1));
    for (const record of records.slice(0, cut)) first.write(record, 0);
    const state = await first.snapshotState();
    // The attempt goes on past the checkpoint, then fails.
    for (const record of records.slice(cut, cut + 5000)) first.write(record, 0);
    await first.snapshotState();
    await first.close?.();

    const second = createSink(spec) as FileSinkInstance;
    await second.open(sinkContext(0, 1), structuredClone(state));
    for (const record of records.slice(cut)) second.write(record, 0);
    const result = await second.finish();
    await second.close?.();
    const expected = records.map((record) => `${JSON.stringify(record)}\n`).join('');
    expect(await readFile(path, 'utf8')).toBe(expected);
    expect(result).toEqual({ path, records: records.length, bytes: Buffer.byteLength(expected) });
  });

  it('truncates the path when it starts afresh', async () => {
    const path = join(directory.path, 'old.txt');
    await writeFile(path, 'stale content that is longer\n');
    await writeAll(path, 'lines', 1, [['new']]);
    expect(await readFile(path, 'utf8')).toBe('new\n');
  });
});
