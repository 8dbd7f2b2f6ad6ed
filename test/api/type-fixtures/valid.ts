/**
 * Correct jobs: this file compiles without an error, and the types it asserts are the ones
 * the builder infers (`Equal` fails to compile when they differ).
 */
import { Readable } from 'node:stream';
import {
  Pipeline,
  boundedOutOfOrderness,
  collectSink,
  fileSink,
  fileSource,
  generatorSource,
  iterableSource,
  resultsSink,
  sessionWindows,
  sinkSpec,
  slidingWindows,
  sourceSpec,
  stdinSource,
  tumblingWindows,
  writableSink,
} from '../../../src/index.js';
import type { DataStream, Job, JobResult, NumericGeneratorRecord, SinkHandle, WindowResultStream } from '../../../src/index.js';
import {
  byLine,
  byUser,
  concat,
  countEvents,
  counter,
  describeWindow,
  digits,
  eventAmountTime,
  lengthOf,
  perLine,
  printer,
  scaled,
  sumAmounts,
  sumNumbers,
  toPair,
  totals,
  withTimer,
  words,
} from './ops.js';
import type { Event, Total } from './ops.js';

type Equal<A, B> = (<X>() => X extends A ? 1 : 2) extends <X>() => X extends B ? 1 : 2 ? true : false;
function expectType<A, B>(_value: Equal<A, B>): void {}

const pipeline = new Pipeline({ parallelism: 2 });
const lines = pipeline.source(fileSource({ path: 'in.txt', format: 'lines' }));
expectType<typeof lines, DataStream<string>>(true);

const events = pipeline.source(fileSource<Event>({ path: 'events.ndjson', format: 'ndjson' }));
expectType<typeof events, DataStream<Event>>(true);

const lengths = lines.map(lengthOf);
expectType<typeof lengths, DataStream<number>>(true);
const pairs = lines.map(toPair);
expectType<typeof pairs, DataStream<[string, number]>>(true);
pairs.keyBy(0);

const perUser = events.keyBy(byUser).process(totals);
expectType<typeof perUser, DataStream<Total>>(true);
events.keyBy('user');
events.keyBy('amount');
lines.keyBy(byLine).process(perLine).sink(collectSink<number>());
lines.keyBy(byLine).reduce(concat).sink(fileSink({ path: 'out.txt', format: 'lines' }));

const scaledLengths = lengths.map(scaled, { options: { factor: 2 } });
expectType<typeof scaledLengths, DataStream<number>>(true);
const sums = lengths.keyBy(byLength()).reduce(sumNumbers);
expectType<typeof sums, DataStream<number>>(true);

const generated = pipeline.source(generatorSource({ count: 10 }));
expectType<typeof generated, DataStream<NumericGeneratorRecord>>(true);
generated.keyBy(1);
generated.map(digits).sink(collectSink());

// An untyped stream (a source that did not say what it reads) accepts any function.
const untyped = pipeline.source(fileSource({ path: 'events.ndjson', format: 'ndjson' }));
expectType<typeof untyped, DataStream<unknown>>(true);
untyped.keyBy(byUser).process(totals);
untyped.keyBy('anything');

// A stream of a subtype goes where a stream of its supertype is expected.
function count(stream: DataStream<unknown>): void {
  stream.sink(collectSink());
}
count(generated);

// Node interop: sources from iterables and streams, results back as an async iterable.
async function* generate(): AsyncGenerator<Event> {
  yield { user: 'ann', amount: 1 };
}
const fromGenerator = pipeline.source(iterableSource(generate()));
expectType<typeof fromGenerator, DataStream<Event>>(true);
const fromArray = pipeline.source(iterableSource([1, 2, 3]));
expectType<typeof fromArray, DataStream<number>>(true);
const fromStream = pipeline.source(iterableSource<Event>(Readable.from([]), { resume: 'skip' }));
expectType<typeof fromStream, DataStream<Event>>(true);
const fromStdin = pipeline.source(stdinSource());
expectType<typeof fromStdin, DataStream<string>>(true);
const fromCounter = pipeline.source(sourceSpec(counter, { upTo: 10 }));
expectType<typeof fromCounter, DataStream<number>>(true);
const fromWords = pipeline.source(sourceSpec(words, { text: 'a b' }));
expectType<typeof fromWords, DataStream<string>>(true);
fromCounter.sink(sinkSpec(printer, { prefix: '> ' }));
const totalsOut = fromGenerator.keyBy(byUser).process(totals).sink(resultsSink<Total>());
expectType<typeof totalsOut, SinkHandle<Total>>(true);
fromStdin.sink(writableSink(process.stdout));
async function consume(): Promise<void> {
  const job = pipeline.start({ checkpoints: { mode: 'aligned', dir: 'ckpt' } });
  expectType<typeof job, Job>(true);
  for await (const total of job.results(totalsOut)) expectType<typeof total, Total>(true);
  expectType<typeof job.done, Promise<JobResult>>(true);
}
void consume;

declare function byLength(): import('../../../src/index.js').KeySelectorDefinition<number>;

// Event time: a watermark strategy of the source's record type; windows typed by their functions.
const timed = pipeline.source(fileSource<Event>({ path: 'events.ndjson', format: 'ndjson' }), {
  watermarks: boundedOutOfOrderness({ timestamp: eventAmountTime, maxOutOfOrdernessMs: 100, idleTimeoutMs: 1000 }),
});
expectType<typeof timed, DataStream<Event>>(true);
const windowTotals = timed.keyBy(byUser).window(tumblingWindows(1000)).aggregate(sumAmounts);
expectType<typeof windowTotals, WindowResultStream<Event, number>>(true);
const described = timed.keyBy('user').window(slidingWindows(1000, 250)).allowedLateness(500).aggregate(sumAmounts, describeWindow);
expectType<typeof described, WindowResultStream<Event, string>>(true);
const lateEvents = described.lateRecords();
expectType<typeof lateEvents, DataStream<Event>>(true);
const perSession = timed.keyBy(byUser).window(sessionWindows(60_000)).process(countEvents);
expectType<typeof perSession, WindowResultStream<Event, Total>>(true);
const reduced = lengths.keyBy(byLength()).window(tumblingWindows(10)).reduce(sumNumbers);
expectType<typeof reduced, WindowResultStream<number, number>>(true);
const timerLines = timed.keyBy(byUser).process(withTimer);
expectType<typeof timerLines, DataStream<string>>(true);
