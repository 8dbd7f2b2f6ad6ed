/**
 * A file source subtask resumed from `position()` reads exactly the lines it had not emitted.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileSource } from '../../src/connectors/index.js';
import { ConfigurationError } from '../../src/errors/index.js';
import { runSource, temporaryDirectory } from './support/harness.js';
import { textFileArbitrary } from './support/text-files.js';

describe('file source resume', () => {
  let directory: Awaited<ReturnType<typeof temporaryDirectory>>;
  let fileNumber = 0;
  beforeAll(async () => {
    directory = await temporaryDirectory();
  });
  afterAll(async () => {
    await directory.remove();
  });

  it('continues exactly after the last line emitted', async () => {
    await fc.assert(
      fc.asyncProperty(
        textFileArbitrary(),
        fc.integer({ min: 1, max: 4 }).chain((parallelism) =>
          fc.tuple(fc.constant(parallelism), fc.integer({ min: 0, max: parallelism - 1 })),
        ),
        fc.integer({ min: 0, max: 45 }),
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: 1, max: 7 }),
        async (file, [parallelism, subtaskIndex], cut, chunk, budget) => {
          const path = join(directory.path, `input-${fileNumber++}.txt`);
          await writeFile(path, file.text);
          const spec = fileSource({ path, format: 'lines', readChunkBytes: chunk });
          const run = { subtaskIndex, parallelism, budget };
          const whole = await runSource(spec, run);
          const before = await runSource(spec, { ...run, stopAfter: cut });
          const after = await runSource(spec, { ...run, restoredPosition: before.position });
          expect(after.ended).toBe(true);
          expect([...before.records, ...after.records]).toEqual(whole.records);
          // The position is a byte offset at a line start.
          const bytes = Buffer.from(file.text);
          const position = before.position as number;
          expect(position === 0 || position >= bytes.length || bytes[position - 1] === 0x0a).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('resumes at the byte offset of the next line', async () => {
    const path = join(directory.path, 'offsets.txt');
    await writeFile(path, 'ab\r\n\nçd\nlast');
    const spec = fileSource({ path, format: 'lines' });
    const offsets: unknown[] = [];
    for (let cut = 0; cut <= 4; cut++) offsets.push((await runSource(spec, { subtaskIndex: 0, parallelism: 1, stopAfter: cut })).position);
    expect(offsets).toEqual([0, 4, 5, 9, 13]);
    const rest = await runSource(spec, { subtaskIndex: 0, parallelism: 1, restoredPosition: 5 });
    expect(rest.records).toEqual(['çd', 'last']);
  });

  it('refuses a position before its byte range', async () => {
    const path = join(directory.path, 'range.txt');
    await writeFile(path, 'one\ntwo\nthree\nfour\n');
    const spec = fileSource({ path, format: 'lines' });
    await expect(runSource(spec, { subtaskIndex: 1, parallelism: 2, restoredPosition: 4 })).rejects.toThrow(ConfigurationError);
  });
});
