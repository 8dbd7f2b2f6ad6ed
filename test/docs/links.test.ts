/**
 * No link in the README or docs/ points outside the repository: every Markdown link or image
 * that is not a web URL resolves to a file or directory inside the repository that exists.
 * The package and a clone carry only the repository, so a link that leaves it is broken.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The Markdown files checked: README.md, docs/, and the READMEs of the examples and the buffers library. */
function markdownFiles(): string[] {
  const files = ['README.md', 'native-free-buffers/README.md', 'examples/starter/README.md'];
  for (const entry of readdirSync(path.join(root, 'docs'))) if (entry.endsWith('.md')) files.push(`docs/${entry}`);
  return files.filter((file) => existsSync(path.join(root, file)));
}

/** Targets of `[text](target)` and `![alt](target)` links, and of `[label]: target` definitions, outside code. */
export function linkTargets(markdown: string): string[] {
  const prose = markdown.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');
  const inline = [...prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((match) => match[1]!);
  const definitions = [...prose.matchAll(/^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm)].map((match) => match[1]!);
  return [...inline, ...definitions];
}

/** Why `target`, linked from `file`, is not a link into the repository, or undefined when it is. */
export function problemOf(file: string, target: string): string | undefined {
  if (/^(https?:|mailto:)/.test(target) || target.startsWith('#')) return undefined;
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return 'is not a web link or a path in the repository';
  if (target.startsWith('/')) return 'is an absolute path';
  const resolved = path.resolve(root, path.dirname(file), decodeURIComponent(target.split('#')[0]!));
  if (resolved !== root && !resolved.startsWith(root + path.sep)) return 'points outside the repository';
  if (!existsSync(resolved)) return 'does not exist';
  return undefined;
}

describe('links in README and docs', () => {
  it('reads links the way a Markdown renderer does (the check can fail)', () => {
    const targets = linkTargets('see [a](../shared/DESIGN.md), ![b](docs/x.svg "t"), `[c](d)`\n[e]: /etc/passwd\n```\n[f](g)\n```\n');
    expect(targets).toEqual(['../shared/DESIGN.md', 'docs/x.svg', '/etc/passwd']);
    expect(problemOf('README.md', '../shared/DESIGN.md')).toBe('points outside the repository');
    expect(problemOf('README.md', '/work/shared/DESIGN.md')).toBe('is an absolute path');
    expect(problemOf('README.md', 'file:///tmp/x')).toBe('is not a web link or a path in the repository');
    expect(problemOf('README.md', 'docs/no-such-file.md')).toBe('does not exist');
    expect(problemOf('docs/design.md', '../README.md')).toBeUndefined();
  });

  it('checks the README and every file of docs/', () => {
    expect(markdownFiles()).toEqual(expect.arrayContaining(['README.md', 'docs/design.md', 'docs/configuration.md', 'docs/errors.md']));
  });

  it('finds no link that leaves the repository or names a missing file', () => {
    const problems: string[] = [];
    for (const file of markdownFiles()) {
      for (const target of linkTargets(readFileSync(path.join(root, file), 'utf8'))) {
        const problem = problemOf(file, target);
        if (problem) problems.push(`${file}: ${target} ${problem}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('names no path of the team outside the repository, linked or not', () => {
    const mentions = markdownFiles().filter((file) => /(\.\.\/shared\/|\/work\/shared)/.test(readFileSync(path.join(root, file), 'utf8')));
    expect(mentions).toEqual([]);
  });
});
