/**
 * The windowed count the event-time recovery tests run: a generator with bounded out-of-orderness
 * watermarks, keyed by its key, counted per tumbling window by the window operator (`window`) or
 * by event-time timers in a process function (`timers`), into a transactional file sink.
 */
import type { Pipeline } from '../../../src/index.js';
import { ops, sluice } from './compiled.js';

/** How the count is made: the window operator, or timers in a process function. */
export type WindowedCountKind = 'window' | 'timers';

/** The counting operator's name. */
export const COUNT = 'count';

/** The job: `kind` over `job`'s generator records, into `output`. */
export function windowedCountJob(
  kind: WindowedCountKind,
  output: string,
  job: { readonly seed: number; readonly count: number; readonly keys: number; readonly sizeMs: number },
  options: { readonly name: string; readonly parallelism: number; readonly channelBytes: number; readonly sourceParallelism?: number },
): Pipeline {
  const pipeline = new sluice.Pipeline({ name: options.name, parallelism: options.parallelism, channelBytes: options.channelBytes });
  const keyed = pipeline
    .source(sluice.generatorSource({ seed: job.seed, count: job.count, keys: job.keys }), {
      name: 'gen',
      ...(options.sourceParallelism === undefined ? {} : { parallelism: options.sourceParallelism }),
      watermarks: sluice.boundedOutOfOrderness({ timestamp: ops.generatorTime, maxOutOfOrdernessMs: ops.MAX_JITTER_MS }),
    })
    .keyBy(1);
  const counted =
    kind === 'window'
      ? keyed.window(sluice.tumblingWindows(job.sizeMs)).aggregate(ops.slowCountAndSum, ops.windowLine, { name: COUNT })
      : keyed.process<string>(ops.timerWindows, { name: COUNT, options: { sizeMs: job.sizeMs, costMicros: ops.SLOW_AGGREGATE_MICROS } });
  counted.sink(sluice.transactionalFileSink<string>({ path: output, format: 'lines' }), { name: 'out' });
  return pipeline;
}
