/** Operators of the word-count example job. */
import type { Collector, KeyedContext } from '../api/context.js';
import { defineFlatMap, defineKeySelector, defineProcess } from '../api/functions.js';

const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}\p{N}]+)*/gu;

/** Splits a line into lower-case words (letters and digits, with inner apostrophes). */
export const splitWords = defineFlatMap(import.meta, (line: string, out: Collector<string>) => {
  // exec() in a loop, not matchAll(): matchAll clones the regular expression on every call.
  WORD.lastIndex = 0;
  for (let match = WORD.exec(line); match !== null; match = WORD.exec(line)) out.collect(match[0].toLowerCase());
});

/** A word is its own key. */
export const wordKey = defineKeySelector(import.meta, (word: string) => word);

/** Counts each word; emits one `word count` line per distinct word when the input ends. */
export const countWords = defineProcess(import.meta, {
  processElement(_word: string, ctx: KeyedContext, _out: Collector<string>) {
    const count = ctx.valueState<number>('count');
    count.update((count.value() ?? 0) + 1);
  },
  onEnd(ctx: KeyedContext, out: Collector<string>) {
    ctx.forEachKey<number>('count', (word, count) => out.collect(`${word} ${count}`));
  },
});
