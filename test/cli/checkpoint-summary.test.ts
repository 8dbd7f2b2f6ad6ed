import { describe, expect, it } from 'vitest';
import { describeCheckpoint, summaryOfMetadata } from '../../src/cli/checkpoint-summary.js';
import { checkpointMetadata } from '../../src/storage/metadata.js';

function metadataWith(finished: readonly boolean[]) {
  return checkpointMetadata({
    job: 'counting',
    checkpointId: 9,
    kind: 'checkpoint',
    mode: 'aligned',
    triggerTimestamp: 1_000,
    completedTimestamp: 1_015,
    files: finished.some((done) => !done) ? [{ name: 'merged-0.seg', bytes: 10 * finished.filter((done) => !done).length }] : [],
    segments: finished.flatMap((done, index) =>
      done ? [] : [{ name: `state-${index}`, file: 'merged-0.seg', offset: 10 * finished.slice(0, index).filter((d) => !d).length, bytes: 10, rawBytes: 20, sha256: '0'.repeat(64) }],
    ),
    subtasks: finished.map((done, index) =>
      done
        ? { operator: 'count', subtaskIndex: index, parallelism: finished.length, finished: true, stats: {} }
        : { operator: 'count', subtaskIndex: index, parallelism: finished.length, state: `state-${index}`, stats: {} },
    ),
    stats: {},
  });
}

describe('a checkpoint progress line', () => {
  it('counts every subtask of a checkpoint that none had finished before', () => {
    const line = describeCheckpoint(summaryOfMetadata(metadataWith([false, false, false])));
    expect(line).toBe('checkpoint 9 completed in 15 ms: 30 B on disk (60 B raw), 0 B in-flight persisted, 3/3 subtasks');
  });

  it('says how many subtasks had finished before it', () => {
    expect(describeCheckpoint(summaryOfMetadata(metadataWith([false, true, false])))).toMatch(/, 3\/3 subtasks \(1 finished before it\)$/);
    expect(describeCheckpoint(summaryOfMetadata(metadataWith([true, true, false])))).toMatch(/: 10 B on disk \(20 B raw\), .*, 3\/3 subtasks \(2 finished before it\)$/);
  });
});
