/**
 * Sums generated values per key and writes the running totals, one line per update.
 *
 *   npm run build && npx sluice run dist/job.js --parallelism 2 --output totals.txt
 *
 * `sluice run` calls the default export with the command line's options; add
 * `--checkpoint-mode unaligned --checkpoint-dir ckpt` for checkpoints.
 */
import { Pipeline, fileSink, generatorSource } from 'sluice';
import type { JobArguments } from 'sluice';
import { addUp, describe, toTotal } from './ops.js';

export default function job({ parallelism, options }: JobArguments): Pipeline {
  const output = typeof options['output'] === 'string' ? options['output'] : 'totals.txt';
  const pipeline = new Pipeline({ name: 'starter', parallelism });
  pipeline
    .source(generatorSource({ shape: 'object', count: 10_000, keys: 8, seed: 1 }), { name: 'generate' })
    .map(toTotal, { name: 'to-total' }) // DataStream<Total>: the output type comes from the function
    .keyBy('key') // a field of Total; a misspelt field does not compile
    .reduce(addUp, { name: 'add-up' })
    .map(describe, { name: 'describe', options: { unit: 'points' } }) // options checked against DescribeOptions
    .sink(fileSink({ path: output, format: 'lines' }), { name: 'write', parallelism: 1 });
  return pipeline;
}
