/**
 * Cancellation: a job over a source that never ends stops when `pipeline.cancel()` is called or
 * its AbortSignal aborts. execute() rejects with a JobCancelledError, the sources are closed,
 * and no subtask thread keeps running.
 */
import { describe, expect, it } from 'vitest';
import { ops, sinks, sluice, sources } from './support/compiled.js';
import { SourceProbe, failureOf } from './support/jobs.js';

const { Pipeline, JobCancelledError } = sluice;

type Mode = 'busy' | 'trickle' | 'silent';

/** Unbounded source (2 subtasks) -> map -> keyBy -> reduce -> counting sink. */
function endlessPipeline(mode: Mode, probe: SourceProbe) {
  const pipeline = new Pipeline({ parallelism: 2 });
  pipeline
    .source(sources.unboundedSourceSpec(mode, probe.buffer), { name: 'endless' })
    .map(ops.identity, { name: 'pass' })
    .keyBy('subtask')
    .reduce(ops.keepLatest, { name: 'latest' })
    .sink(sinks.countSpec(), { name: 'count' });
  return pipeline;
}

function expectCancelled(error: Error & { code?: string; cause?: unknown }, reason: unknown) {
  expect(error).toBeInstanceOf(JobCancelledError);
  expect(error.code).toBe('SLUICE_JOB_CANCELLED');
  expect(error.message).toBe('the job was cancelled');
  expect(error.cause).toBe(reason);
}

describe('cancellation', { timeout: 20_000 }, () => {
  it('pipeline.cancel() stops a busy job: execute() rejects, sources close, threads stop', async () => {
    const probe = new SourceProbe();
    const pipeline = endlessPipeline('busy', probe);
    const run = pipeline.execute();
    await probe.polled(100);
    const reason = new Error('enough');
    pipeline.cancel(reason);

    expectCancelled(await failureOf(run), reason);
    expect(probe.opened).toBe(2);
    expect(probe.closed).toBe(2);
    expect(await probe.stoppedPolling()).toBe(true);
  });

  it('an aborted AbortController stops a job whose source wakes itself from a timer', async () => {
    const probe = new SourceProbe();
    const controller = new AbortController();
    const run = endlessPipeline('trickle', probe).execute({ signal: controller.signal });
    await probe.polled(20);
    controller.abort('user pressed stop');

    expectCancelled(await failureOf(run), 'user pressed stop');
    expect(probe.closed).toBe(2);
    expect(await probe.stoppedPolling()).toBe(true);
  });

  it('AbortSignal.timeout stops a job whose subtasks are all parked, waiting for input', async () => {
    const probe = new SourceProbe();
    const signal = AbortSignal.timeout(300);
    const error = await failureOf(endlessPipeline('silent', probe).execute({ signal }));

    expectCancelled(error, signal.reason);
    expect((error.cause as Error).name).toBe('TimeoutError');
    expect(probe.closed).toBe(probe.opened);
  });

  it('an already-aborted signal rejects without processing anything', async () => {
    const probe = new SourceProbe();
    const signal = AbortSignal.abort('too late');
    expectCancelled(await failureOf(endlessPipeline('busy', probe).execute({ signal })), 'too late');
    expect(probe.polls).toBe(0);
    expect(probe.closed).toBe(probe.opened);
  });

  it('cancel() in the same tick as execute() stops the job', async () => {
    const probe = new SourceProbe();
    const pipeline = endlessPipeline('busy', probe);
    const run = pipeline.execute();
    pipeline.cancel('changed my mind');
    // If that cancel were lost the job would run forever: a second one ends it, and fails the test.
    const guard = setTimeout(() => pipeline.cancel('the first cancel was lost'), 10_000);
    const error = await failureOf(run);
    clearTimeout(guard);
    expectCancelled(error, 'changed my mind');
    expect(probe.closed).toBe(probe.opened);
  });

  it('cancel() when no job runs does nothing, and the pipeline can run again after a cancel', async () => {
    const probe = new SourceProbe();
    const pipeline = endlessPipeline('busy', probe);
    pipeline.cancel('nothing to cancel');

    const first = pipeline.execute();
    await probe.polled(10);
    pipeline.cancel();
    const error = await failureOf(first);
    expect(error).toBeInstanceOf(JobCancelledError);
    expect((error.cause as Error).name).toBe('AbortError'); // AbortController.abort() without a reason

    const second = pipeline.execute();
    const polls = probe.polls;
    await probe.polled(polls + 10);
    pipeline.cancel('again');
    expectCancelled(await failureOf(second), 'again');
    expect(await probe.stoppedPolling()).toBe(true);
  });
});
