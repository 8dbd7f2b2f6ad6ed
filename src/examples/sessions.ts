/**
 * Session windows per user, by event time: reads `{"user": ..., "time": ...}` lines and writes
 * one JSON line per session (`user`, `start`, `end` = last event + gap, `events`). Events may
 * come out of order by up to `--max-out-of-order-ms`; a session closes as soon as the watermark
 * passes its end (the gap after its last event), not only at the end of the input. Events later
 * than that are late: with `--late-output` they are written there, else dropped.
 *
 *   sluice run sessions --input events.ndjson [--output sessions.ndjson] [--gap-ms 1800000]
 *     [--max-out-of-order-ms 60000] [--late-output late.ndjson] [--parallelism 2]
 */
import { Pipeline } from '../api/pipeline.js';
import { boundedOutOfOrderness } from '../api/event-time.js';
import { sessionWindows } from '../api/windows.js';
import { ConfigurationError } from '../errors/sluice-error.js';
import { fileSink, fileSource } from '../connectors/index.js';
import type { JobArguments } from '../cli/job-module.js';
import { countEvents, eventTimestamp, toSession, userKey } from './sessions-ops.js';
import type { UserEvent } from './sessions-ops.js';

function milliseconds(name: string, value: unknown, fallback: string, allowZero: boolean): number {
  const given = value ?? fallback;
  const ms = Number(given);
  if (typeof given !== 'string' || !Number.isFinite(ms) || ms < 0 || (!allowZero && ms === 0)) {
    throw new ConfigurationError(`sessions: --${name} must be a ${allowZero ? 'non-negative' : 'positive'} number of milliseconds, got ${String(given)}`);
  }
  return ms;
}

/** Builds the sessions job from `--input`, `--output` (default sessions.ndjson), `--gap-ms` (default 30 minutes), `--max-out-of-order-ms` (default 1 minute) and `--late-output`. */
export default function sessions({ parallelism, options }: JobArguments): Pipeline {
  const input = options['input'];
  const output = options['output'] ?? 'sessions.ndjson';
  const late = options['late-output'];
  if (typeof input !== 'string' || typeof output !== 'string' || (late !== undefined && typeof late !== 'string')) {
    throw new ConfigurationError('sessions needs --input <ndjson file of {"user","time"} events>; --output <file> and --late-output <file> are optional');
  }
  const gapMs = milliseconds('gap-ms', options['gap-ms'], '1800000', false);
  const maxOutOfOrdernessMs = milliseconds('max-out-of-order-ms', options['max-out-of-order-ms'], '60000', true);
  const pipeline = new Pipeline({ name: 'sessions', parallelism });
  const sessionLines = pipeline
    .source(fileSource<UserEvent>({ path: input, format: 'ndjson' }), {
      name: 'read',
      watermarks: boundedOutOfOrderness({ timestamp: eventTimestamp, maxOutOfOrdernessMs }),
    })
    .keyBy(userKey)
    .window(sessionWindows(gapMs))
    .aggregate(countEvents, toSession, { name: 'sessionize' });
  sessionLines.sink(fileSink({ path: output, format: 'ndjson' }), { name: 'write', parallelism: 1 });
  if (late !== undefined) sessionLines.lateRecords().sink(fileSink({ path: late, format: 'ndjson' }), { name: 'write-late', parallelism: 1 });
  return pipeline;
}
