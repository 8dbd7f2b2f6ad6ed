/**
 * Counts the words of a text file: one `word count` line per distinct word.
 *
 *   sluice run word-count --input book.txt --output counts.txt [--parallelism 2]
 */
import { Pipeline } from '../api/pipeline.js';
import { STRING_RECORDS } from '../api/specs.js';
import { ConfigurationError } from '../errors/sluice-error.js';
import { fileSink, fileSource } from '../connectors/index.js';
import type { JobArguments } from '../cli/job-module.js';
import { countWords, splitWords, wordKey } from './word-count-ops.js';

/** Builds the word-count job from `--input` and `--output`. */
export default function wordCount({ parallelism, options }: JobArguments): Pipeline {
  const input = options['input'];
  const output = options['output'];
  if (typeof input !== 'string' || typeof output !== 'string') {
    throw new ConfigurationError('word-count needs --input <text file> and --output <file to write>');
  }
  const pipeline = new Pipeline({ name: 'word-count', parallelism });
  pipeline
    .source(fileSource({ path: input, format: 'lines' }), { name: 'read' })
    .flatMap(splitWords, { name: 'split', returns: STRING_RECORDS })
    .keyBy(wordKey)
    .process(countWords, { name: 'count' })
    .sink(fileSink({ path: output, format: 'lines' }), { name: 'write', parallelism: 1 });
  return pipeline;
}
