/**
 * The commit protocol's order, observed at the file system: `_metadata.tmp` is written and
 * fsynced, then renamed to `_metadata`, then the directory is fsynced. If the process dies at
 * the rename (simulated: rename fails), there is no `_metadata`, and the checkpoint does not exist.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as storage from '../../src/storage/index.js';
import { CheckpointStorage, CheckpointWriteError, METADATA_FILE } from '../../src/storage/index.js';
import { writeCheckpoint } from './support/checkpoints.js';
import { temporaryDirectory } from './support/files.js';

const fs = vi.hoisted(() => ({ events: [] as string[], failRename: false }));

vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  const name = (file: unknown) => path.basename(String(file));
  return {
    ...actual,
    open: async (...args: Parameters<typeof actual.open>) => {
      const handle = await actual.open(...args);
      return new Proxy(handle, {
        get(target, property) {
          if (property === 'sync') {
            return async () => {
              await target.sync();
              fs.events.push(`fsync ${name(args[0])}`);
            };
          }
          const value = Reflect.get(target, property, target) as unknown;
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
    },
    rename: async (from: string, to: string) => {
      if (fs.failRename) throw Object.assign(new Error('simulated crash at rename'), { code: 'EIO' });
      await actual.rename(from, to);
      fs.events.push(`rename ${name(from)} -> ${name(to)}`);
    },
  };
});

let tmp: Awaited<ReturnType<typeof temporaryDirectory>>;
let checkpoints: CheckpointStorage;

beforeEach(async () => {
  tmp = await temporaryDirectory();
  checkpoints = new CheckpointStorage({ checkpointDir: tmp.path, job: 'crashing' });
  fs.events.length = 0;
  fs.failRename = false;
});
afterEach(() => tmp.remove());

describe('metadata commit order', () => {
  it('fsyncs the temporary file before the rename and the directory after it', async () => {
    await writeCheckpoint(storage, checkpoints, 1);
    const commit = fs.events.slice(fs.events.indexOf('fsync _metadata.tmp'));
    expect(commit).toEqual(['fsync _metadata.tmp', 'rename _metadata.tmp -> _metadata', 'fsync chk-1']);
    // Every snapshot file was fsynced before the commit began.
    const snapshotFsyncs = fs.events.slice(0, fs.events.indexOf('fsync _metadata.tmp')).filter((event) => event.endsWith('.zst'));
    expect(snapshotFsyncs).toHaveLength(6);
  });

  it('a crash at the rename leaves no _metadata, so no checkpoint', async () => {
    await writeCheckpoint(storage, checkpoints, 1);
    fs.failRename = true;
    await expect(writeCheckpoint(storage, checkpoints, 2)).rejects.toThrow(CheckpointWriteError);
    expect(await readdir(checkpoints.checkpointDir(2))).not.toContain(METADATA_FILE);
    expect((await checkpoints.list()).map((entry) => entry.checkpointId)).toEqual([1]);
    expect((await checkpoints.findRestorable()).metadata?.checkpointId).toBe(1);
  });
});
