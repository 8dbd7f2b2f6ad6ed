/**
 * docs/errors.md lists every error code the code throws, and no code that does not exist:
 * each `'SLUICE_*'` string in src/ and native-free-buffers/ has a row in its table.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function codesIn(dir: string): Set<string> {
  const codes = new Set<string>();
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !/\.c?ts$/.test(entry.name)) continue;
    const text = readFileSync(path.join(entry.parentPath, entry.name), 'utf8');
    for (const match of text.matchAll(/['"`](SLUICE_[A-Z_]+)['"`]/g)) codes.add(match[1]!);
  }
  return codes;
}

function documentedCodes(): string[] {
  const text = readFileSync(path.join(root, 'docs/errors.md'), 'utf8');
  return [...text.matchAll(/^\| `(SLUICE_[A-Z_]+)` \|/gm)].map((match) => match[1]!);
}

describe('docs/errors.md', () => {
  const thrown = new Set([...codesIn(path.join(root, 'src')), ...codesIn(path.join(root, 'native-free-buffers'))]);
  const documented = documentedCodes();

  it('finds the codes in the sources', () => {
    expect(thrown.has('SLUICE_CONFIGURATION')).toBe(true);
    expect(thrown.has('SLUICE_RING_CANCELLED')).toBe(true);
  });

  it('has one row per code', () => {
    expect(documented.length).toBe(new Set(documented).size);
  });

  it('documents every code thrown, and only those', () => {
    expect([...documented].sort()).toEqual([...thrown].sort());
  });
});
