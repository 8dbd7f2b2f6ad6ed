/**
 * writableSink writes every record into a Node Writable of the main thread: a file stream
 * (ended when the job finished, before `done` resolves), and a slow Writable whose `write()`
 * returns false, which the sink waits on ('drain') instead of buffering: what the Writable holds
 * stays within its high-water mark plus one batch.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ops, sluice } from './support/compiled.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sluice-writable-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function* numbers(count: number) {
  for (let i = 0; i < count; i++) yield i;
}

/** A Writable that takes a chunk per timer tick and reports how much it held at most. */
class SlowWritable extends Writable {
  readonly chunks: string[] = [];
  maxBuffered = 0;
  falseReturns = 0;

  constructor() {
    super({ highWaterMark: 1024, decodeStrings: false });
  }

  override write(chunk: unknown, ...rest: unknown[]): boolean {
    const ready = super.write(chunk as string, ...(rest as [BufferEncoding]));
    this.maxBuffered = Math.max(this.maxBuffered, this.writableLength);
    if (!ready) this.falseReturns++;
    return ready;
  }

  override _write(chunk: string, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.chunks.push(chunk);
    setTimeout(callback, 1);
  }
}

describe('writableSink', () => {
  it('writes one line per record into a file stream and ends it before done resolves', async () => {
    const file = path.join(dir, 'out.txt');
    const stream = createWriteStream(file);
    const pipeline = new sluice.Pipeline({ name: 'to-file', parallelism: 2 });
    pipeline.source(sluice.iterableSource(numbers(30_000))).map(ops.double).sink(sluice.writableSink(stream));
    await pipeline.execute();
    expect(stream.writableFinished).toBe(true);
    const lines = (await readFile(file, 'utf8')).split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map(Number).sort((a, b) => a - b)).toEqual(Array.from({ length: 30_000 }, (_, i) => i * 2));
  });

  it('waits for drain when write() returns false, and leaves the stream open with end: false', async () => {
    const writable = new SlowWritable();
    const pipeline = new sluice.Pipeline({ name: 'to-slow', parallelism: 1 });
    pipeline.source(sluice.iterableSource(numbers(5_000))).sink(sluice.writableSink(writable, { format: 'ndjson', end: false }));
    await pipeline.execute();
    expect(writable.falseReturns).toBeGreaterThan(0);
    // One batch of records (at most 256 short lines) beyond the high-water mark, never the whole output.
    expect(writable.maxBuffered).toBeLessThan(1024 + 256 * 8);
    expect(writable.writableEnded).toBe(false);
    const values = writable.chunks.join('').split('\n').filter(Boolean).map((line) => JSON.parse(line) as number);
    expect(values).toEqual(Array.from({ length: 5_000 }, (_, i) => i));
  });

  it('hands the records themselves to an object-mode Writable', async () => {
    const received: unknown[] = [];
    const writable = new Writable({
      objectMode: true,
      write(record, _encoding, callback) {
        received.push(record);
        callback();
      },
    });
    const pipeline = new sluice.Pipeline({ name: 'to-objects', parallelism: 1 });
    pipeline.source(sluice.iterableSource([{ a: 1 }, { b: [2] }])).sink(sluice.writableSink(writable));
    await pipeline.execute();
    expect(received).toEqual([{ a: 1 }, { b: [2] }]);
    expect(writable.writableFinished).toBe(true);
  });
});
