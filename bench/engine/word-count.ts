/**
 * The word-count case of the engine benchmark: a generated text, counted by the bundled
 * `word-count` example job through sluice and by the naive single-threaded script a Node user
 * would write first (read the file, match words, lower-case, count in a Map, write the counts).
 * Both write one `word count` line per distinct word; the benchmark checks that they agree.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { openSync, writeSync, closeSync } from 'node:fs';
import wordCount from '../../src/examples/word-count.js';

/** Words as the example counts them: letters and digits, with inner apostrophes. */
const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}\p{N}]+)*/gu;

/** Syllables of the generated vocabulary. */
const SYLLABLES = ['ka', 'lo', 'mi', 're', 'ta', 'un', 'de', 'ver', 'sa', 'po', 'li', 'an', 'ther', 'ing', 'ed', 'qu', 'st', 'ar', 'en', 'ou'];

/**
 * Writes about `bytes` of English-like text to `path`: lines of about 70 characters, words of a
 * 20,000-word vocabulary drawn with Zipf's law (as word frequencies in real text), some
 * capitalised, some followed by a comma. The same seed gives the same text.
 */
export function generateText(path: string, bytes: number, seed = 12345): void {
  let state = seed >>> 0;
  const random = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const vocabulary = Array.from({ length: 20_000 }, (_, index) => {
    let word = '';
    let x = index;
    for (let syllable = 0; syllable <= index % 4; syllable++) {
      word += SYLLABLES[x % SYLLABLES.length];
      x = Math.floor(x / SYLLABLES.length) + syllable * 7;
    }
    return index % 13 === 0 ? word[0]!.toUpperCase() + word.slice(1) : word;
  });
  const cumulative: number[] = [];
  let total = 0;
  for (let rank = 1; rank <= vocabulary.length; rank++) cumulative.push((total += 1 / rank));
  const pick = () => {
    const target = random() * total;
    let low = 0;
    let high = cumulative.length - 1;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (cumulative[middle]! < target) low = middle + 1;
      else high = middle;
    }
    return vocabulary[low]!;
  };
  const fd = openSync(path, 'w');
  try {
    let written = 0;
    let chunk = '';
    while (written < bytes) {
      let line = '';
      while (line.length < 70) line += (line ? ' ' : '') + pick() + (random() < 0.08 ? ',' : '');
      line += '.\n';
      chunk += line;
      written += line.length;
      if (chunk.length > 1 << 16) {
        writeSync(fd, chunk);
        chunk = '';
      }
    }
    writeSync(fd, chunk);
  } finally {
    closeSync(fd);
  }
}

/** What a word-count run did: its duration and the counts it wrote. */
export interface WordCountRun {
  readonly durationMs: number;
  /** Words counted (the sum of the counts written). */
  readonly words: number;
  /** Distinct words written. */
  readonly distinct: number;
}

/** Reads a `word count` file back: the words counted and the distinct words. */
async function readCounts(path: string): Promise<{ words: number; distinct: number }> {
  const text = await readFile(path, 'utf8');
  let words = 0;
  let distinct = 0;
  for (const line of text.split('\n')) {
    if (line.length === 0) continue;
    words += Number(line.slice(line.lastIndexOf(' ') + 1));
    distinct++;
  }
  return { words, distinct };
}

/** The naive script: the whole text in memory, one regex pass, a Map. */
export async function runNaiveWordCount(input: string, output: string): Promise<WordCountRun> {
  const started = performance.now();
  const text = await readFile(input, 'utf8');
  const counts = new Map<string, number>();
  for (const match of text.matchAll(WORD)) {
    const word = match[0].toLowerCase();
    counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  await writeFile(output, [...counts].map(([word, count]) => `${word} ${count}\n`).join(''));
  const durationMs = performance.now() - started;
  return { durationMs, ...(await readCounts(output)) };
}

/** The bundled example job at `parallelism`, as `sluice run word-count` runs it. */
export async function runSluiceWordCount(input: string, output: string, parallelism: number): Promise<WordCountRun> {
  const started = performance.now();
  const pipeline = wordCount({ parallelism, options: { input, output } });
  await pipeline.execute();
  const durationMs = performance.now() - started;
  return { durationMs, ...(await readCounts(output)) };
}
