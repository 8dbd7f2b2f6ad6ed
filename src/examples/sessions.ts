/**
 * Session windows per user: reads `{"user": ..., "time": ...}` lines and writes one JSON line
 * per session (`user`, `start`, `end` = last event + gap, `events`). Events may come in any order.
 *
 *   sluice run sessions --input events.ndjson [--output sessions.ndjson] [--gap-ms 1800000] [--parallelism 2]
 */
import { Pipeline } from '../api/pipeline.js';
import { ConfigurationError } from '../errors/sluice-error.js';
import { fileSink, fileSource } from '../connectors/index.js';
import type { JobArguments } from '../cli/job-module.js';
import { sessionize, userKey, type SessionOptions } from './sessions-ops.js';

/** Builds the sessions job from `--input`, `--output` (default sessions.ndjson) and `--gap-ms` (default 30 minutes). */
export default function sessions({ parallelism, options }: JobArguments): Pipeline {
  const input = options['input'];
  const output = options['output'] ?? 'sessions.ndjson';
  const gapOption = options['gap-ms'] ?? '1800000';
  if (typeof input !== 'string' || typeof output !== 'string') {
    throw new ConfigurationError('sessions needs --input <ndjson file of {"user","time"} events>; --output <file> is optional');
  }
  const gapMs = Number(gapOption);
  if (typeof gapOption !== 'string' || !Number.isFinite(gapMs) || gapMs <= 0) {
    throw new ConfigurationError(`sessions: --gap-ms must be a positive number of milliseconds, got ${String(gapOption)}`);
  }
  const pipeline = new Pipeline({ name: 'sessions', parallelism });
  pipeline
    .source(fileSource({ path: input, format: 'ndjson' }), { name: 'read' })
    .keyBy(userKey)
    .process<unknown, SessionOptions>(sessionize, { name: 'sessionize', options: { gapMs } })
    .sink(fileSink({ path: output, format: 'ndjson' }), { name: 'write', parallelism: 1 });
  return pipeline;
}
