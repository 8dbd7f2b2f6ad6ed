/**
 * A malformed NDJSON line either fails the job with a MalformedInputError naming the file and
 * its line number in the whole file, or goes to the dead-letter file while reading goes on,
 * with nothing lost and, across a resume, nothing written twice.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileSource } from '../../src/connectors/index.js';
import type { DeadLetterEntry } from '../../src/connectors/index.js';
import { ConfigurationError, MalformedInputError } from '../../src/errors/index.js';
import { runSource, temporaryDirectory } from './support/harness.js';

/** An NDJSON file: good records, blank lines and malformed lines, with each line's 1-based number. */
interface NdjsonFile {
  readonly text: string;
  readonly good: unknown[];
  readonly bad: { line: number; text: string }[];
}

const ndjsonFileArbitrary: fc.Arbitrary<NdjsonFile> = fc
  .array(
    fc.oneof(
      { weight: 6, arbitrary: fc.record({ id: fc.nat(), name: fc.string({ maxLength: 8 }) }).map((value) => ({ kind: 'good' as const, value })) },
      { weight: 1, arbitrary: fc.constantFrom('', ' ').map((text) => ({ kind: 'blank' as const, text })) },
      { weight: 2, arbitrary: fc.constantFrom('{oops', '{"a":}', 'nope ü', '[1,2', '"€').map((text) => ({ kind: 'bad' as const, text })) },
    ),
    { maxLength: 40 },
  )
  .map((lines) => {
    const file: NdjsonFile = { text: '', good: [], bad: [] };
    let text = '';
    lines.forEach((line, index) => {
      if (line.kind === 'good') {
        text += `${JSON.stringify(line.value)}\n`;
        file.good.push(line.value);
      } else {
        text += `${line.text}\n`;
        if (line.kind === 'bad') file.bad.push({ line: index + 1, text: line.text });
      }
    });
    return { ...file, text };
  });

function parseDeadLetters(content: string): DeadLetterEntry[] {
  return content
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as DeadLetterEntry);
}

describe('file source malformed NDJSON', () => {
  let directory: Awaited<ReturnType<typeof temporaryDirectory>>;
  let fileNumber = 0;
  beforeAll(async () => {
    directory = await temporaryDirectory();
  });
  afterAll(async () => {
    await directory.remove();
  });

  async function writeTemporary(text: string): Promise<string> {
    const path = join(directory.path, `input-${fileNumber++}.ndjson`);
    await writeFile(path, text);
    return path;
  }

  it('fails on the first malformed line of a subtask, naming the file and its line in the whole file', async () => {
    await fc.assert(
      fc.asyncProperty(ndjsonFileArbitrary, fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 32 }), async (file, parallelism, chunk) => {
        const path = await writeTemporary(file.text);
        const spec = fileSource({ path, format: 'ndjson', readChunkBytes: chunk });
        const failedLines: number[] = [];
        for (let subtaskIndex = 0; subtaskIndex < parallelism; subtaskIndex++) {
          try {
            await runSource(spec, { subtaskIndex, parallelism, budget: 3 });
          } catch (error) {
            expect(error).toBeInstanceOf(MalformedInputError);
            const { message, code, cause } = error as MalformedInputError;
            expect(code).toBe('SLUICE_MALFORMED_INPUT');
            expect(cause).toBeInstanceOf(SyntaxError);
            const match = /^(.*):(\d+): malformed NDJSON line/.exec(message);
            expect(match?.[1]).toBe(path);
            failedLines.push(Number(match![2]));
          }
        }
        // Each subtask fails at its first bad line: those are among the bad lines, the first included.
        const badLines = file.bad.map((bad) => bad.line);
        for (const line of failedLines) expect(badLines).toContain(line);
        if (badLines.length > 0) expect(failedLines).toContain(badLines[0]);
        else expect(failedLines).toEqual([]);
      }),
      { numRuns: 100 },
    );
  });

  it('sends malformed lines to the dead-letter files and emits every good record', async () => {
    await fc.assert(
      fc.asyncProperty(ndjsonFileArbitrary, fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 32 }), async (file, parallelism, chunk) => {
        const path = await writeTemporary(file.text);
        const deadLetterPath = join(directory.path, `dead-${fileNumber}.ndjson`);
        const spec = fileSource({ path, format: 'ndjson', readChunkBytes: chunk, onMalformed: 'dead-letter', deadLetterPath });
        const good: unknown[] = [];
        const dead: DeadLetterEntry[] = [];
        let reported = 0;
        for (let subtaskIndex = 0; subtaskIndex < parallelism; subtaskIndex++) {
          const run = await runSource(spec, { subtaskIndex, parallelism, budget: 4 });
          good.push(...run.records);
          reported += run.deadLetters;
          const subtaskFile = parallelism === 1 ? deadLetterPath : `${deadLetterPath}.${subtaskIndex}`;
          dead.push(...parseDeadLetters(await readFile(subtaskFile, 'utf8')));
        }
        expect(good).toEqual(file.good);
        expect(dead.map(({ line, text }) => ({ line, text }))).toEqual(file.bad);
        expect(reported).toBe(file.bad.length);
        const bytes = Buffer.from(file.text);
        for (const entry of dead) {
          expect(entry.file).toBe(path);
          expect(entry.error.length).toBeGreaterThan(0);
          expect(bytes.subarray(entry.offset, entry.offset + Buffer.byteLength(entry.text)).toString()).toBe(entry.text);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('numbers lines correctly after a resume', async () => {
    const path = await writeTemporary('{"a":1}\n\n{"a":2}\r\n{"a":3}\nbroken\n{"a":4}\n');
    const spec = fileSource({ path, format: 'ndjson' });
    const before = await runSource(spec, { subtaskIndex: 0, parallelism: 1, stopAfter: 2 });
    expect(before.records).toEqual([{ a: 1 }, { a: 2 }]);
    await expect(runSource(spec, { subtaskIndex: 0, parallelism: 1, restoredPosition: before.position })).rejects.toThrow(
      `${path}:5: malformed NDJSON line`,
    );
  });

  it('keeps each dead letter exactly once across a resume', async () => {
    await fc.assert(
      fc.asyncProperty(ndjsonFileArbitrary, fc.integer({ min: 1, max: 3 }), fc.nat(), fc.integer({ min: 0, max: 30 }), async (file, parallelism, pick, cut) => {
        const path = await writeTemporary(file.text);
        const deadLetterPath = join(directory.path, `dead-${fileNumber}.ndjson`);
        const spec = fileSource({ path, format: 'ndjson', readChunkBytes: 16, onMalformed: 'dead-letter', deadLetterPath });
        const subtaskIndex = pick % parallelism;
        const run = { subtaskIndex, parallelism, budget: 2 };
        const subtaskFile = parallelism === 1 ? deadLetterPath : `${deadLetterPath}.${subtaskIndex}`;
        const whole = await runSource(spec, run);
        const expected = await readFile(subtaskFile, 'utf8');
        // A checkpoint at `cut` records, then the first attempt went on to the end before failing.
        const checkpoint = await runSource(spec, { ...run, stopAfter: cut });
        await runSource(spec, run);
        const resumed = await runSource(spec, { ...run, restoredPosition: checkpoint.position });
        expect([...checkpoint.records, ...resumed.records]).toEqual(whole.records);
        expect(parseDeadLetters(await readFile(subtaskFile, 'utf8'))).toEqual(parseDeadLetters(expected));
      }),
      { numRuns: 60 },
    );
  });

  it('empties the dead-letter file on a fresh start', async () => {
    const path = await writeTemporary('{"a":1}\nbad\n');
    const deadLetterPath = join(directory.path, 'fresh-dead.ndjson');
    await writeFile(deadLetterPath, '{"stale":true}\n');
    const spec = fileSource({ path, format: 'ndjson', onMalformed: 'dead-letter', deadLetterPath });
    await runSource(spec, { subtaskIndex: 0, parallelism: 1 });
    expect(parseDeadLetters(await readFile(deadLetterPath, 'utf8')).map((entry) => entry.text)).toEqual(['bad']);
  });
});

describe('file source options', () => {
  let directory: Awaited<ReturnType<typeof temporaryDirectory>>;
  beforeAll(async () => {
    directory = await temporaryDirectory();
  });
  afterAll(async () => {
    await directory.remove();
  });

  it('rejects a missing file, a directory, a bad format and a dead-letter policy without a path', async () => {
    const missing = join(directory.path, 'missing.txt');
    expect(() => fileSource({ path: missing, format: 'lines' })).toThrow(ConfigurationError);
    expect(() => fileSource({ path: missing, format: 'lines' })).toThrow(missing);
    expect(() => fileSource({ path: directory.path, format: 'lines' })).toThrow(`${directory.path} is not a regular file`);
    const file = join(directory.path, 'present.ndjson');
    await writeFile(file, '{}\n');
    expect(() => fileSource({ path: file, format: 'csv' as 'lines' })).toThrow(ConfigurationError);
    expect(() => fileSource({ path: file, format: 'ndjson', onMalformed: 'dead-letter' })).toThrow(/deadLetterPath/);
    expect(fileSource({ path: file, format: 'ndjson' }).options).toMatchObject({ path: file, sizeBytes: 3 });
  });
});
