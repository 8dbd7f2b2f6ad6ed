/**
 * The I/O pool (started from dist/) compresses, checksums, writes and fsyncs a snapshot handed
 * over by transfer, and reads it back verified and decompressed, transferred back; a missing,
 * truncated or corrupt file rejects with SLUICE_CHECKPOINT_CORRUPT naming the file and the
 * reason; closing is idempotent and awaitable.
 */
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IoPool } from '../../src/storage/index.js';
import { storage } from './support/compiled.js';
import { compressibleBytes, flipByte, seededBytes, temporaryDirectory, truncateBy } from './support/files.js';

const MiB = 1 << 20;
let pool: IoPool;
let tmp: Awaited<ReturnType<typeof temporaryDirectory>>;

beforeAll(async () => {
  pool = new storage.IoPool({ threads: 2 });
  tmp = await temporaryDirectory();
});

afterAll(async () => {
  await pool.close();
  await tmp.remove();
});

async function rejection(promise: Promise<unknown>): Promise<Error & { code?: string; reason?: string; file?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe('IoPool', () => {
  it('writes by transfer and reads back the same bytes by transfer', async () => {
    for (const [name, raw] of [
      ['empty', new Uint8Array(0)],
      ['compressible', compressibleBytes(3 * MiB + 5, 1)],
      ['random', seededBytes(MiB + 1, 2)],
    ] as const) {
      const expected = Buffer.from(raw); // a copy: the pool takes raw's buffer
      const file = path.join(tmp.path, `${name}.state.zst`);
      const info = await pool.writeSnapshotFile({ path: file, bytes: raw.buffer as ArrayBuffer });
      expect(raw.buffer.byteLength).toBe(0); // detached: transferred, not copied

      const onDisk = await readFile(file);
      expect(info.bytes).toBe(onDisk.length);
      expect(info.rawBytes).toBe(expected.length);
      expect(info.sha256).toBe(createHash('sha256').update(onDisk).digest('hex'));
      expect(storage.readSnapshotIndex(onDisk).rawBytes).toBe(expected.length);

      const restored = await pool.readSnapshotFile({ path: file, expected: info });
      expect(restored).toBeInstanceOf(ArrayBuffer);
      expect(Buffer.from(restored).equals(expected)).toBe(true);
    }
  });

  it('copies a view of part of a buffer instead of detaching the rest', async () => {
    const backing = seededBytes(4096, 3);
    const view = backing.subarray(100, 1100);
    const file = path.join(tmp.path, 'view.state.zst');
    const info = await pool.writeSnapshotFile({ path: file, bytes: view, level: 3 });
    expect(backing.buffer.byteLength).toBe(4096);
    expect(info.rawBytes).toBe(1000);
    const restored = await pool.readSnapshotFile({ path: file, expected: { ...info, rawBytes: 1000 } });
    expect(Buffer.from(restored).equals(Buffer.from(view))).toBe(true);
  });

  it('runs many writes concurrently on its threads', async () => {
    const inputs = Array.from({ length: 12 }, (_, i) => compressibleBytes(200_000 + i, 10 + i));
    const infos = await Promise.all(
      inputs.map((raw, i) => pool.writeSnapshotFile({ path: path.join(tmp.path, `many-${i}.state.zst`), bytes: raw.slice() })),
    );
    const restored = await Promise.all(infos.map((info, i) => pool.readSnapshotFile({ path: path.join(tmp.path, `many-${i}.state.zst`), expected: info })));
    restored.forEach((bytes, i) => expect(Buffer.from(bytes).equals(Buffer.from(inputs[i]!))).toBe(true));
  });

  describe('rejects a damaged file with SLUICE_CHECKPOINT_CORRUPT', () => {
    async function written(name: string) {
      const file = path.join(tmp.path, name);
      const info = await pool.writeSnapshotFile({ path: file, bytes: compressibleBytes(2 * MiB, 4) });
      return { file, info };
    }

    it('missing', async () => {
      const { file, info } = await written('missing.state.zst');
      const error = await rejection(pool.readSnapshotFile({ path: `${file}.gone`, expected: info }));
      expect(error).toBeInstanceOf(storage.CheckpointCorruptError);
      expect(error).toMatchObject({ code: 'SLUICE_CHECKPOINT_CORRUPT', reason: 'missing', file: `${file}.gone` });
      expect(error.message).toContain(`${file}.gone`);
    });

    it('truncated', async () => {
      const { file, info } = await written('truncated.state.zst');
      await truncateBy(file, 10);
      const error = await rejection(pool.readSnapshotFile({ path: file, expected: info }));
      expect(error).toMatchObject({ code: 'SLUICE_CHECKPOINT_CORRUPT', reason: 'truncated', file });
      expect(error.message).toMatch(/truncated: it has \d+ bytes/);
    });

    it('corrupt (one byte flipped)', async () => {
      const { file, info } = await written('corrupt.state.zst');
      await flipByte(file, Math.floor(info.bytes / 2));
      const error = await rejection(pool.readSnapshotFile({ path: file, expected: info }));
      expect(error).toMatchObject({ code: 'SLUICE_CHECKPOINT_CORRUPT', reason: 'corrupt', file });
      expect(error.message).toMatch(/SHA-256/);
    });

    it('undecodable, though its checksum matches', async () => {
      const file = path.join(tmp.path, 'undecodable.state.zst');
      const garbage = seededBytes(500, 9);
      await writeFile(file, garbage);
      const expected = { bytes: 500, sha256: createHash('sha256').update(garbage).digest('hex') };
      const error = await rejection(pool.readSnapshotFile({ path: file, expected }));
      expect(error).toMatchObject({ code: 'SLUICE_CHECKPOINT_CORRUPT', reason: 'corrupt', file });
      expect(error.message).toMatch(/not a snapshot container/);
    });
  });

  it('checks files without reading them back', async () => {
    const file = path.join(tmp.path, 'check.state.zst');
    const info = await pool.writeSnapshotFile({ path: file, bytes: compressibleBytes(300_000, 5) });
    expect(await pool.checkSnapshotFile({ path: file, expected: info, verify: 'checksum' })).toBeUndefined();
    await flipByte(file, 20);
    expect(await pool.checkSnapshotFile({ path: file, expected: info, verify: 'size' })).toBeUndefined();
    const problem = await pool.checkSnapshotFile({ path: file, expected: info, verify: 'checksum' });
    expect(problem).toMatchObject({ code: 'SLUICE_CHECKPOINT_CORRUPT', reason: 'corrupt', file });
  });

  it('closes idempotently, after which it refuses work', async () => {
    const other = new storage.IoPool();
    const info = await other.writeSnapshotFile({ path: path.join(tmp.path, 'close.state.zst'), bytes: seededBytes(10, 1) });
    expect(info.rawBytes).toBe(10);
    const first = other.close();
    const second = other.close();
    expect(second).toBe(first);
    await first;
    await other.close();
    const error = await rejection(other.writeSnapshotFile({ path: path.join(tmp.path, 'late.state.zst'), bytes: seededBytes(10, 1) }));
    expect(error.message).toMatch(/closed/);
  });

  it('validates its options', () => {
    expect(() => new storage.IoPool({ threads: 0 })).toThrow(TypeError);
    expect(() => new storage.IoPool({ concurrentTasksPerThread: 1.5 })).toThrow(TypeError);
  });
});
