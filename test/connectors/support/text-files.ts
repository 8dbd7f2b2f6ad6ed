/** Random text files for the file source tests, with the lines a reader must find in them. */
import fc from 'fast-check';

/** Characters of 1 to 4 UTF-8 bytes, JSON-significant ones, and spaces. */
const CHARACTERS = ['a', 'b', 'z', '0', ' ', '\t', '{', '"', '\\', 'é', 'ß', '€', '中', '😀', '𝄞'];

/** A line without line terminators, sometimes empty, sometimes long. */
export const lineArbitrary = fc.oneof(
  { weight: 1, arbitrary: fc.constant('') },
  { weight: 6, arbitrary: fc.string({ unit: fc.constantFrom(...CHARACTERS), maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom(...CHARACTERS), minLength: 40, maxLength: 300 }) },
);

/** A file's text built from lines, and the lines reading it must give. */
export interface TextFile {
  readonly text: string;
  readonly lines: string[];
}

/**
 * Joins `lines` with `\n` or `\r\n` (chosen per line) and maybe a final terminator. Without
 * one, an empty last line is not in the file, so it is not expected either.
 */
export const textFileArbitrary = (line: fc.Arbitrary<string> = lineArbitrary): fc.Arbitrary<TextFile> =>
  fc
    .array(fc.tuple(line, fc.constantFrom('\n', '\r\n')), { maxLength: 40 })
    .chain((pairs) => fc.tuple(fc.constant(pairs), fc.boolean()))
    .map(([pairs, finalTerminator]) => {
      let text = '';
      pairs.forEach(([content, terminator], index) => {
        text += content;
        if (index < pairs.length - 1 || finalTerminator) text += terminator;
      });
      const lines = pairs.map(([content]) => content);
      if (!finalTerminator && lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
      return { text, lines };
    });
