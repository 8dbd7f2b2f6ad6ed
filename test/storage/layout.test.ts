/**
 * File names of the checkpoint layout: any job or operator name becomes a safe file name
 * (only [A-Za-z0-9._-%~]) that decodes back to the name, distinct names never collide, and
 * checkpoint directory and snapshot file names parse back to what made them.
 */
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_ENCODED_NAME_LENGTH,
  checkpointDirectoryName,
  decodeNameSegment,
  encodeNameSegment,
  jobDirectory,
  parseCheckpointDirectoryName,
  parseSnapshotFileName,
  snapshotFileName,
} from '../../src/storage/index.js';

describe('checkpoint layout names', () => {
  it('encodes unsafe characters reversibly', () => {
    expect(encodeNameSegment('Map -> Filter')).toBe('Map%20-%3E%20Filter');
    expect(encodeNameSegment('Keyed/Reduce')).toBe('Keyed%2FReduce');
    expect(encodeNameSegment('100%')).toBe('100%25');
    expect(encodeNameSegment('..')).toBe('%2E%2E');
    expect(encodeNameSegment('naïve ✓')).toBe('na%C3%AFve%20%E2%9C%93');
    for (const name of ['Map -> Filter', 'Keyed/Reduce', '100%', '..', '.', 'naïve ✓', 'a\\b:c*?"<>|']) {
      expect(decodeNameSegment(encodeNameSegment(name))).toBe(name);
    }
  });

  it('round-trips any name, to a safe file name, without collisions', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 60, unit: 'grapheme' }), fc.string({ minLength: 1, maxLength: 60 }), (a, b) => {
        const encoded = encodeNameSegment(a);
        expect(encoded).toMatch(/^[A-Za-z0-9._%-]+$/);
        expect(encoded).not.toMatch(/^\.\.?$/);
        expect(decodeNameSegment(encoded)).toBe(a);
        if (a !== b) expect(encodeNameSegment(b)).not.toBe(encoded);
      }),
      { numRuns: 300, seed: 42 },
    );
  });

  it('shortens very long names with a hash, keeping them distinct', () => {
    const long = 'Source: a very long chain -> '.repeat(20);
    const encoded = encodeNameSegment(long);
    expect(encoded.length).toBeLessThanOrEqual(MAX_ENCODED_NAME_LENGTH);
    expect(encoded).toMatch(/~[0-9a-f]{16}$/);
    expect(encodeNameSegment(`${long}x`)).not.toBe(encoded);
    expect(decodeNameSegment(encoded)).toBeUndefined();
    expect(Buffer.byteLength(snapshotFileName(long, 1023, 'channels'))).toBeLessThanOrEqual(255);
  });

  it('refuses names that are not well-formed Unicode', () => {
    expect(() => encodeNameSegment('a\ud800b')).toThrow(TypeError);
    expect(() => encodeNameSegment('')).toThrow(TypeError);
  });

  it('rejects what is not an encoding', () => {
    for (const segment of ['', 'a b', 'a/b', '%2', '%zz', '%2e', '%41']) expect(decodeNameSegment(segment)).toBeUndefined();
  });

  it('names and parses checkpoint directories', () => {
    expect(checkpointDirectoryName(0)).toBe('chk-0');
    expect(checkpointDirectoryName(42)).toBe('chk-42');
    expect(parseCheckpointDirectoryName('chk-42')).toBe(42);
    for (const name of ['chk-', 'chk-042', 'chk-4a', 'chk--1', 'savepoint-1', 'chk-99999999999999999']) {
      expect(parseCheckpointDirectoryName(name)).toBeUndefined();
    }
    expect(() => checkpointDirectoryName(-1)).toThrow(TypeError);
    expect(() => checkpointDirectoryName(1.5)).toThrow(TypeError);
  });

  it('names and parses snapshot files', () => {
    expect(snapshotFileName('Map -> Keyed/Reduce', 3, 'state')).toBe('Map%20-%3E%20Keyed%2FReduce-3.state.zst');
    expect(snapshotFileName('Map -> Keyed/Reduce', 3, 'channels')).toBe('Map%20-%3E%20Keyed%2FReduce-3.channels.zst');
    expect(parseSnapshotFileName('Map%20-%3E%20Keyed%2FReduce-3.channels.zst')).toEqual({ operator: 'Map -> Keyed/Reduce', subtaskIndex: 3, kind: 'channels' });
    expect(parseSnapshotFileName('op-1-12.state.zst')).toEqual({ operator: 'op-1', subtaskIndex: 12, kind: 'state' });
    expect(parseSnapshotFileName('_metadata')).toBeUndefined();
    expect(parseSnapshotFileName('op-1.state')).toBeUndefined();
  });

  it('puts a job in its own directory under the checkpoint directory', () => {
    expect(jobDirectory('/data/checkpoints', 'word count')).toBe(path.join('/data/checkpoints', 'word%20count'));
    expect(jobDirectory('/data/checkpoints', '../../etc')).toBe(path.join('/data/checkpoints', '..%2F..%2Fetc'));
  });
});
