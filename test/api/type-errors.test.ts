/**
 * The builder's types catch the mistakes users make: each line marked `// mistake` in
 * type-fixtures/mistakes.ts fails to compile, no other line does, and type-fixtures/valid.ts
 * (correct jobs, with the inferred types asserted) compiles cleanly. The fixtures are compiled
 * here with the TypeScript compiler API and the project's compiler options (they are left out
 * of the build, which would fail on the mistakes).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const fixtures = path.join(root, 'test/api/type-fixtures');
const mistakesFile = path.join(fixtures, 'mistakes.ts');
const validFile = path.join(fixtures, 'valid.ts');

/** 1-based line numbers of the errors of `file`, with their messages. */
function errorLines(program: ts.Program, file: string): Map<number, string[]> {
  const source = program.getSourceFile(file)!;
  const lines = new Map<number, string[]>();
  for (const diagnostic of ts.getPreEmitDiagnostics(program, source)) {
    if (diagnostic.category !== ts.DiagnosticCategory.Error || diagnostic.start === undefined) continue;
    const line = source.getLineAndCharacterOfPosition(diagnostic.start).line + 1;
    const messages = lines.get(line) ?? [];
    messages.push(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n').split('\n')[0]!);
    lines.set(line, messages);
  }
  return lines;
}

/** 1-based numbers of the lines of `file` marked `// mistake`. */
function markedLines(file: string): number[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .flatMap((text, index) => (/\/\/ mistake\s*$/.test(text) ? [index + 1] : []));
}

describe('type checks of the builder', () => {
  let program: ts.Program;

  beforeAll(() => {
    const config = ts.readConfigFile(path.join(root, 'tsconfig.json'), (file) => ts.sys.readFile(file));
    const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, root);
    program = ts.createProgram([mistakesFile, validFile], { ...parsed.options, noEmit: true });
  }, 120_000);

  it('compiles the correct jobs, with the inferred types they assert', () => {
    expect(Object.fromEntries(errorLines(program, validFile))).toEqual({});
  });

  it('rejects each mistake, and only the mistakes', () => {
    const marked = markedLines(mistakesFile);
    expect(marked.length).toBeGreaterThanOrEqual(10);
    const errors = errorLines(program, mistakesFile);
    const missed = marked.filter((line) => !errors.has(line));
    const unexpected = [...errors.keys()].filter((line) => !marked.includes(line)).map((line) => `${line}: ${errors.get(line)!.join('; ')}`);
    expect({ missed, unexpected }).toEqual({ missed: [], unexpected: [] });
  });
});
