/**
 * An error thrown by user code (a map, a source's poll, a sink's write, a key selector, a
 * process function's open) fails the job: execute() rejects with a JobFailedError whose code is
 * SLUICE_JOB_FAILED, whose message names the operator and the subtask, whose location says
 * where, and whose cause is the original error.
 */
import { describe, expect, it } from 'vitest';
import type { FailureLocation } from '../../src/index.js';
import { failures, ops, sinks, sluice, sources } from './support/compiled.js';
import { failureOf } from './support/jobs.js';

const { Pipeline, JobFailedError, numericRecords } = sluice;

/** `{ seq }` records 0..count-1, split round-robin over `parallelism` source subtasks. */
function seqPartitions(count: number, parallelism: number) {
  const parts = Array.from({ length: parallelism }, () => [] as Array<{ seq: number }>);
  for (let seq = 0; seq < count; seq++) parts[seq % parallelism]!.push({ seq });
  return parts;
}

type Failure = Error & { code?: string; cause?: unknown; location: FailureLocation };

async function jobFailure(pipeline: InstanceType<typeof Pipeline>): Promise<Failure> {
  const error = await failureOf(pipeline.execute());
  expect(error).toBeInstanceOf(JobFailedError);
  expect(error.code).toBe('SLUICE_JOB_FAILED');
  return error as Failure;
}

describe('operator errors', () => {
  it('a map chained to its source: names the map and its subtask; the position is the source\'s', async () => {
    const pipeline = new Pipeline({ parallelism: 2 });
    pipeline
      .source(sources.arraySourceSpec(seqPartitions(2000, 2)), { name: 'numbers' })
      .map(failures.throwingMap, { name: 'poison-check', options: { failAtSeq: 1001 } })
      .sink(sinks.countSpec(), { name: 'count' });
    const error = await jobFailure(pipeline);

    // seq 1001 is the 501st record of source subtask 1: its position after that record is 501.
    expect(error.location).toMatchObject({ operator: 'poison-check', subtask: 1, parallelism: 2, position: "source position 501 (in the source's own terms)" });
    // The message ends with the user's own frame: the line of the map that threw.
    expect(error.message).toMatch(
      /^operator 'poison-check' \(subtask 1\/2\) failed on source position 501 \(in the source's own terms\): record 1001 is poison \(thrown at \/.*\/failures\.js:\d+:\d+\)$/,
    );
    expect(error.cause).toBeInstanceOf(Error);
    expect((error.cause as Error).message).toBe('record 1001 is poison');
    expect((error.cause as Error).stack).toContain('failures.js');
  });

  it('a map behind a channel: the position names the upstream subtask and the channel position', async () => {
    const pipeline = new Pipeline({ parallelism: 3 });
    pipeline
      .source(sources.arraySourceSpec(seqPartitions(3000, 1)), { name: 'numbers', parallelism: 1 })
      .map(failures.throwingMap, { name: 'poison-check', options: { failAtSeq: 2500 } })
      .sink(sinks.countSpec(), { name: 'count' });
    const error = await jobFailure(pipeline);

    expect(error.location.operator).toBe('poison-check');
    expect(error.location.parallelism).toBe(3);
    expect(error.location.position).toMatch(/^a record batch read from 'numbers' subtask 0 \(at byte \d+ of the channel\)$/);
    // Round robin from one producer: the subtask that got seq 2500 had taken about a third of 2501 records.
    expect(error.location.recordsIn).toBeGreaterThan(0);
    expect(error.location.recordsIn).toBeLessThanOrEqual(2501);
    expect(error.message).toContain(`operator 'poison-check' (subtask ${error.location.subtask}/3) failed on a record batch read from 'numbers'`);
    expect((error.cause as Error).message).toBe('record 2500 is poison');
  });

  it('a source whose poll throws: names the source, not the chain it heads', async () => {
    const pipeline = new Pipeline({ parallelism: 2 });
    pipeline
      .source(sources.failingSourceSpec(300, 1), { name: 'flaky' })
      .map(ops.identity, { name: 'pass' })
      .sink(sinks.countSpec(), { name: 'count' });
    const error = await jobFailure(pipeline);

    expect(error.location).toMatchObject({ operator: 'flaky', subtask: 1, parallelism: 2, position: "source position 300 (in the source's own terms)" });
    expect(error.message).toMatch(
      /^operator 'flaky' \(subtask 1\/2\) failed on source position 300 \(in the source's own terms\): source gave up after 300 records \(thrown at \/.*\.js:\d+:\d+\)$/,
    );
    expect((error.cause as Error).message).toBe('source gave up after 300 records');
  });

  it('a sink whose write throws', async () => {
    const pipeline = new Pipeline({ parallelism: 2 });
    pipeline
      .source(sources.arraySourceSpec(seqPartitions(1000, 1)), { name: 'numbers', parallelism: 1 })
      .map(ops.identity, { name: 'pass', parallelism: 1 })
      .sink(sinks.failingSinkSpec(777), { name: 'store' });
    const error = await jobFailure(pipeline);

    expect(error.location.operator).toBe('store');
    expect(error.location.parallelism).toBe(2);
    expect(error.location.position).toMatch(/read from 'numbers -> pass' subtask 0/);
    expect(error.message).toMatch(/^operator 'store' \(subtask [01]\/2\) failed on .*: cannot store record 777 \(thrown at \/.*\.js:\d+:\d+\)$/);
    expect((error.cause as Error).message).toBe('cannot store record 777');
  });

  it('a key selector that throws: the cause is its error, the location the subtask that ran it', async () => {
    const pipeline = new Pipeline({ parallelism: 2 });
    pipeline
      .source(sources.arraySourceSpec(seqPartitions(100, 2)), { name: 'numbers' })
      .keyBy(failures.throwingKey)
      .reduce(ops.keepLatest, { name: 'latest' })
      .sink(sinks.countSpec(), { name: 'count' });
    const error = await jobFailure(pipeline);

    // seq 13 is emitted by source subtask 1, whose output edge runs the key selector.
    expect(error.location).toMatchObject({ operator: 'numbers', subtask: 1, parallelism: 2 });
    expect(error.message).toContain('no key for record 13');
    expect((error.cause as Error).message).toBe('no key for record 13');
  });

  it('a key selector that returns something that is not a key', async () => {
    const pipeline = new Pipeline({ parallelism: 2 });
    pipeline
      .source(sources.arraySourceSpec(seqPartitions(100, 1)), { name: 'numbers', parallelism: 1 })
      .map(ops.identity, { name: 'pass' })
      .keyBy(failures.objectKey)
      .reduce(ops.keepLatest, { name: 'latest' })
      .sink(sinks.countSpec(), { name: 'count' });
    const error = await jobFailure(pipeline);

    // The record that has no valid key was emitted by 'pass', whose output edge runs the selector.
    expect(error.location.operator).toBe('pass');
    expect((error.cause as Error).name).toBe('TypeError');
    expect((error.cause as Error).message).toMatch(/a key must be a string or a number, got object/);
  });

  it('a map that emits a record that does not fit its declared numeric shape', async () => {
    const pipeline = new Pipeline({ parallelism: 1 });
    pipeline
      .source(sources.arraySourceSpec(seqPartitions(100, 1)), { name: 'numbers' })
      .map(failures.shortRowMap, { name: 'rows', returns: numericRecords(3) })
      .keyBy(1)
      .reduce(ops.sumNumeric, { name: 'sum' })
      .sink(sinks.countSpec(), { name: 'count' });
    const error = await jobFailure(pipeline);

    expect(error.location).toMatchObject({ operator: 'rows', subtask: 0, position: "source position 43 (in the source's own terms)" });
    expect((error.cause as Error).message).toBe('a numeric(3) record must be an array of 3 numbers, got an array of length 2');
  });

  it('a process function whose open throws', async () => {
    const pipeline = new Pipeline({ parallelism: 2 });
    pipeline
      .source(sources.arraySourceSpec(seqPartitions(100, 2)), { name: 'numbers' })
      .keyBy('seq')
      .process(failures.throwingOpen, { name: 'opener' })
      .sink(sinks.countSpec(), { name: 'count' });
    const error = await jobFailure(pipeline);

    expect(error.location.operator).toBe('opener');
    expect(error.location.position).toBeUndefined();
    expect(error.message).toMatch(/^operator 'opener' \(subtask [01]\/2\) failed: cannot open \(thrown at \/.*failures\.js:\d+:\d+\)$/);
  });
});
