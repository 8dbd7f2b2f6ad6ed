/**
 * The file source's subtasks split a file by byte ranges and together read every line exactly
 * once, in order: CRLF, empty lines, multi-byte characters across read chunks, lines longer
 * than a chunk and a last line without a newline included.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileSource } from '../../src/connectors/index.js';
import { runAllSubtasks, temporaryDirectory } from './support/harness.js';
import { textFileArbitrary } from './support/text-files.js';

describe('file source split', () => {
  let directory: Awaited<ReturnType<typeof temporaryDirectory>>;
  let fileNumber = 0;
  beforeAll(async () => {
    directory = await temporaryDirectory();
  });
  afterAll(async () => {
    await directory.remove();
  });

  async function writeTemporary(content: string | Buffer): Promise<string> {
    const path = join(directory.path, `input-${fileNumber++}.txt`);
    await writeFile(path, content);
    return path;
  }

  it('reads every line exactly once across 1 to 4 subtasks (lines)', async () => {
    await fc.assert(
      fc.asyncProperty(textFileArbitrary(), fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 9 }), async (file, chunk, budget) => {
        const path = await writeTemporary(file.text);
        const spec = fileSource({ path, format: 'lines', readChunkBytes: chunk });
        for (let parallelism = 1; parallelism <= 4; parallelism++) {
          const parts = await runAllSubtasks(spec, parallelism, budget);
          // Subtasks own consecutive byte ranges, so their parts in subtask order are the file.
          expect(parts.flat()).toEqual(file.lines);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('parses every NDJSON record exactly once and skips blank lines', async () => {
    const lineOfJson = fc.oneof(
      { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 2 }).map((value) => ({ value, line: JSON.stringify(value) })) },
      { weight: 1, arbitrary: fc.constantFrom('', '  ', '\t').map((line) => ({ value: undefined, line })) },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(lineOfJson, fc.constantFrom('\n', '\r\n')), { maxLength: 30 }),
        fc.integer({ min: 1, max: 48 }),
        async (lines, chunk) => {
          const text = lines.map(([{ line }, terminator]) => line + terminator).join('');
          const expected = lines.filter(([{ value }]) => value !== undefined).map(([{ line }]) => JSON.parse(line) as unknown);
          const path = await writeTemporary(text);
          const spec = fileSource({ path, format: 'ndjson', readChunkBytes: chunk });
          for (let parallelism = 1; parallelism <= 4; parallelism++) {
            expect((await runAllSubtasks(spec, parallelism)).flat()).toEqual(expected);
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it('reads lines longer than the default read chunk, split at multi-byte characters', async () => {
    // 300 000 four-byte characters: 1.2 MB, so chunk boundaries fall inside characters.
    const long = '😀'.repeat(300_000);
    const lines = ['first', long, '', `x${long}`, 'last'];
    const path = await writeTemporary(lines.join('\r\n'));
    const spec = fileSource({ path, format: 'lines' });
    for (let parallelism = 1; parallelism <= 4; parallelism++) {
      expect((await runAllSubtasks(spec, parallelism, 2)).flat()).toEqual(lines);
    }
  });

  it('gives the subtasks a share of the lines each, not all to one', async () => {
    const lines = Array.from({ length: 1000 }, (_, i) => `line ${i}`);
    const path = await writeTemporary(`${lines.join('\n')}\n`);
    const parts = await runAllSubtasks(fileSource({ path, format: 'lines', readChunkBytes: 100 }), 4);
    for (const part of parts) expect(part.length).toBeGreaterThan(200);
    expect(parts.flat()).toEqual(lines);
  });

  it('reads an empty file as no lines and a lone newline as one empty line', async () => {
    const empty = await writeTemporary('');
    const newline = await writeTemporary('\n');
    for (let parallelism = 1; parallelism <= 3; parallelism++) {
      expect((await runAllSubtasks(fileSource({ path: empty, format: 'lines' }), parallelism)).flat()).toEqual([]);
      expect((await runAllSubtasks(fileSource({ path: newline, format: 'lines' }), parallelism)).flat()).toEqual(['']);
    }
  });

  it('drops a UTF-8 byte order mark at the start of the file', async () => {
    const path = await writeTemporary(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a":1}\n{"b":2}\n')]));
    expect((await runAllSubtasks(fileSource({ path, format: 'ndjson' }), 2)).flat()).toEqual([{ a: 1 }, { b: 2 }]);
  });
});
