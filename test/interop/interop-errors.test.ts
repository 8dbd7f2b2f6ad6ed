/**
 * Mistakes with the Node interop connectors get clear errors: what is wrong and what to do.
 * Inputs that are not iterables, a string, streams that ended, format options where they do not
 * apply, a second run of a pipeline whose iterable was read, results() without a results sink,
 * an iterable that throws, a Writable that fails, and a restore of another run's checkpoint.
 * Leaving the results loop early cancels the job.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Readable, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failureOf } from '../recovery/support/jobs.js';
import { allResults, sluice } from './support/compiled.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sluice-interop-errors-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function* numbers(count: number) {
  for (let i = 0; i < count; i++) yield i;
}

describe('iterableSource refuses', () => {
  it.each([
    [42, /iterableSource needs an async iterable, an iterable or a Readable, got 42/],
    [null, /got null/],
    [{ length: 3 }, /got an object/],
    ['a\nb', /got a string \(which iterates its characters\): wrap it in an array, or split it into lines/],
  ])('%j', (input, message) => {
    expect(() => sluice.iterableSource(input as never)).toThrow(message);
  });

  it('a Readable that ended or was destroyed', async () => {
    const ended = Readable.from(['x']);
    ended.resume();
    await new Promise((resolve) => ended.on('end', resolve));
    expect(() => sluice.iterableSource(ended)).toThrow(/the Readable has already ended; pass a stream that has not been read/);
    const destroyed = new PassThrough();
    destroyed.destroy();
    expect(() => sluice.iterableSource(destroyed)).toThrow(/has already been destroyed/);
  });

  it('a format for an iterable or an object-mode stream', () => {
    expect(() => sluice.iterableSource([1], { format: 'ndjson' })).toThrow(/format applies to byte streams .*the values of an iterable are the records/);
    expect(() => sluice.iterableSource(Readable.from([{ a: 1 }]), { format: 'lines' })).toThrow(/this Readable is in object mode, and its objects are the records/);
    expect(() => sluice.iterableSource(new PassThrough(), { format: 'csv' as never })).toThrow(/options.format must be 'lines' or 'ndjson', got "csv"/);
  });

  it('a parallelism other than 1', () => {
    const pipeline = new sluice.Pipeline({ name: 'parallel-iterable', parallelism: 2 });
    pipeline.source(sluice.iterableSource([1, 2]), { parallelism: 2 }).sink(sluice.discardSink());
    expect(() => pipeline.start()).toThrow(/reads one iterable of the main thread: its parallelism must be 1, got 2/);
  });

  it('a second run of the pipeline', async () => {
    const pipeline = new sluice.Pipeline({ name: 'twice', parallelism: 1 });
    pipeline.source(sluice.iterableSource([1, 2, 3])).sink(sluice.discardSink());
    await pipeline.execute();
    await expect(pipeline.execute()).rejects.toThrow(/its iterable was read by an earlier run of this pipeline; an iterable is read once/);
  });
});

describe('a running job', () => {
  it('fails with the error of an iterable that throws, naming the source and the record', async () => {
    async function* failing() {
      yield 1;
      yield 2;
      throw new Error('the queue went away');
    }
    const pipeline = new sluice.Pipeline({ name: 'throwing-iterable', parallelism: 1 });
    pipeline.source(sluice.iterableSource(failing()), { name: 'queue' }).sink(sluice.discardSink());
    const error = await failureOf(pipeline.execute());
    expect(error.code).toBe('SLUICE_JOB_FAILED');
    expect(error.message).toMatch(/iterableSource 'queue': the iterable threw: the queue went away/);
    expect((error.cause as Error).message).toBe('the queue went away');
  });

  it('fails on a malformed NDJSON line, naming it', async () => {
    const pipeline = new sluice.Pipeline({ name: 'bad-ndjson', parallelism: 1 });
    pipeline.source(sluice.iterableSource(Readable.from([Buffer.from('{"a":1}\n{oops\n')], { objectMode: false }), { format: 'ndjson' })).sink(sluice.discardSink());
    const error = await failureOf(pipeline.execute());
    expect(error.message).toMatch(/line 2 is not JSON: "\{oops"/);
    expect((error.cause as { code?: string }).code).toBe('SLUICE_MALFORMED_INPUT');
  });

  it('stops with SLUICE_WRITABLE_FAILED when its Writable fails, and not before naming it', async () => {
    const writable = new Writable({
      write(_chunk, _encoding, callback) {
        callback(new Error('disk full'));
      },
    });
    const pipeline = new sluice.Pipeline({ name: 'failing-writable', parallelism: 1 });
    pipeline.source(sluice.iterableSource(numbers(1_000_000))).sink(sluice.writableSink(writable), { name: 'out' });
    const error = await failureOf(pipeline.execute());
    expect(error.code).toBe('SLUICE_WRITABLE_FAILED');
    expect(error.message).toMatch(/writableSink 'out': the Writable failed: disk full/);
  });

  it('refuses a Writable that ended, and to end process.stdout', () => {
    const ended = new PassThrough();
    ended.end();
    const pipeline = new sluice.Pipeline({ name: 'ended-writable', parallelism: 1 });
    pipeline.source(sluice.iterableSource([1])).sink(sluice.writableSink(ended));
    expect(() => pipeline.start()).toThrow(/the Writable has ended; pass a stream that is open for writing/);
    expect(() => sluice.writableSink(process.stdout, { end: true })).toThrow(/process.stdout and process.stderr are never ended/);
    expect(() => sluice.writableSink({} as never)).toThrow(/writableSink needs a Writable stream/);
  });

  it('is not executed with a results sink, whose records execute() would not take', async () => {
    const pipeline = new sluice.Pipeline({ name: 'execute-results', parallelism: 1 });
    pipeline.source(sluice.iterableSource([1])).sink(sluice.resultsSink(), { name: 'out' });
    await expect(pipeline.execute()).rejects.toThrow(/results sink 'out' is read with job.results\(\): run the pipeline with pipeline.start\(\)/);
  });

  it('has no results() without a results sink', () => {
    const pipeline = new sluice.Pipeline({ name: 'no-results', parallelism: 1 });
    pipeline.source(sluice.iterableSource([1])).sink(sluice.discardSink());
    const job = pipeline.start();
    expect(() => job.results()).toThrow(/needs a results sink in the pipeline: add one with stream.sink\(resultsSink\(\)\)/);
    return job.done;
  });

  it('cancelled as it starts, ends with a JobCancelledError (the iterable source waiting to start is let go)', async () => {
    const pipeline = new sluice.Pipeline({ name: 'cancel-at-start', parallelism: 1 });
    pipeline.source(sluice.iterableSource(numbers(1_000))).sink(sluice.discardSink());
    const job = pipeline.start();
    job.cancel('changed my mind');
    const error = await failureOf(job.done);
    expect(error.code).toBe('SLUICE_JOB_CANCELLED');
    expect(error.cause).toBe('changed my mind');
  });

  it('is cancelled when the results loop is left early, and its results iterate once', async () => {
    const pipeline = new sluice.Pipeline({ name: 'break', parallelism: 1 });
    pipeline.source(sluice.iterableSource(numbers(1_000_000))).sink(sluice.resultsSink<number>());
    const job = pipeline.start();
    let taken = 0;
    for await (const value of job.results<number>()) {
      expect(value).toBe(taken);
      if (++taken === 10) break;
    }
    const error = await failureOf(job.done);
    expect(error.code).toBe('SLUICE_JOB_CANCELLED');
    expect((error.cause as Error).message).toMatch(/the loop over the results of 'results-1' was left early/);
    expect(() => job.results()[Symbol.asyncIterator]()).toThrow(/can be iterated once/);
  });

  it("refuses to restore another run's checkpoint into a new iterable, unless resume: 'skip'", async () => {
    const checkpoints = { mode: 'aligned' as const, intervalMs: 10, dir: path.join(dir, 'checkpoints') };
    const first = new sluice.Pipeline({ name: 'resume', parallelism: 1 });
    first.source(sluice.iterableSource(numbers(1_000_000))).sink(sluice.resultsSink<number>());
    const job = first.start({ checkpoints });
    let taken = 0;
    for await (const _ of job.results<number>()) {
      if (++taken === 20_000) await job.stopWithSavepoint(path.join(dir, 'savepoint'));
    }
    const stopped = await job.done;
    expect(stopped.savepoint).toBe(path.join(dir, 'savepoint'));
    // Exactly what the savepoint covers was delivered.
    expect(taken).toBeGreaterThanOrEqual(20_000);

    const refused = new sluice.Pipeline({ name: 'resume', parallelism: 1 });
    refused.source(sluice.iterableSource(numbers(1_000_000))).sink(sluice.resultsSink<number>());
    const error = await failureOf(refused.start({ checkpoints, restore: path.join(dir, 'savepoint') }).done);
    expect(error.code).toBe('SLUICE_SOURCE_NOT_REPLAYABLE');
    expect(error.message).toMatch(new RegExp(`had read ${taken} records of its iterable.*Pass \\{ resume: 'skip' \\}`));

    const resumed = new sluice.Pipeline({ name: 'resume', parallelism: 1 });
    resumed.source(sluice.iterableSource(numbers(1_000_000), { resume: 'skip' })).sink(sluice.resultsSink<number>());
    const rest = await allResults<number>(resumed.start({ checkpoints, restore: path.join(dir, 'savepoint') }));
    // The two runs together delivered every number once.
    expect(rest[0]).toBe(taken);
    expect(rest.length).toBe(1_000_000 - taken);
  });
});
