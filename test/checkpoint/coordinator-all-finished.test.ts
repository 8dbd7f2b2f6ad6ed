/**
 * A checkpoint triggered just before the last subtasks finished, and that none of them took,
 * holds nothing: the coordinator drops it (no statistics, no event, no directory) instead of
 * committing an empty checkpoint that would crowd a useful one out of retention.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveCheckpointConfig } from '../../src/checkpoint/checkpoint-config.js';
import { CheckpointCoordinator } from '../../src/checkpoint/coordinator.js';
import type { CheckpointStatistics } from '../../src/checkpoint/checkpoint-stats.js';
import { CheckpointStorage } from '../../src/storage/checkpoint-storage.js';
import type { IoPool } from '../../src/storage/io-pool.js';

const SUBTASKS = [0, 1, 2].map((index) => ({ operator: 'count', uids: ['count'], subtaskIndex: index, parallelism: 3, isSource: index === 0 }));

describe('a checkpoint that every subtask finished before taking', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'sluice-coordinator-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  function coordinator(recorded: CheckpointStatistics[], triggered: number[]) {
    const storage = new CheckpointStorage({ checkpointDir: dir, job: 'job' });
    const config = resolveCheckpointConfig({ mode: 'aligned', intervalMs: 1, dir });
    // No subtask acknowledges, so nothing is ever written through the I/O pool.
    const io = {} as IoPool;
    return {
      storage,
      coordinator: new CheckpointCoordinator(config, storage, io, SUBTASKS, {
        broadcast: (message) => {
          if (message.type === 'trigger-checkpoint') triggered.push(message.checkpointId);
          return true;
        },
        fail: (error) => {
          throw error;
        },
        recorded: (statistics) => recorded.push(statistics),
      }, 'job', 1),
    };
  }

  it('is dropped: no statistics, no event, no directory left', async () => {
    const recorded: CheckpointStatistics[] = [];
    const triggered: number[] = [];
    const { coordinator: subject, storage } = coordinator(recorded, triggered);
    subject.start();
    await expect.poll(() => triggered.length).toBeGreaterThan(0);
    for (const subtask of [0, 1, 2]) subject.subtaskFinished(subtask);
    await subject.stop();
    expect(recorded).toEqual([]);
    expect(await storage.list()).toEqual([]);
    const left = await readdir(path.join(dir, 'job')).catch(() => []);
    expect(left.filter((name) => name.startsWith('chk-'))).toEqual([]);
  });

  it('fails a savepoint with a message that says the job had finished', async () => {
    const recorded: CheckpointStatistics[] = [];
    const { coordinator: subject } = coordinator(recorded, []);
    const savepoint = subject.triggerSavepoint(path.join(dir, 'savepoint'));
    for (const subtask of [0, 1, 2]) subject.subtaskFinished(subtask);
    await expect(savepoint).rejects.toThrow(/was not taken: every subtask had finished before it/);
    await subject.stop();
    expect(recorded).toEqual([]);
  });

  it('is not dropped while a subtask has neither taken it nor finished', async () => {
    const recorded: CheckpointStatistics[] = [];
    const triggered: number[] = [];
    const { coordinator: subject } = coordinator(recorded, triggered);
    subject.start();
    await expect.poll(() => triggered.length).toBeGreaterThan(0);
    subject.subtaskFinished(0);
    subject.subtaskFinished(1);
    await subject.stop();
    // Stopped while subtask 2 had neither acknowledged nor finished: aborted, recorded as failed.
    expect(recorded.length).toBeGreaterThan(0);
    expect(recorded.every((stats) => stats.status === 'failed' && stats.failureReason === 'the job attempt ended')).toBe(true);
  });
});
