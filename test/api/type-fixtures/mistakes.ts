/**
 * The mistakes the builder's types catch. Every line marked `// mistake` must fail to compile
 * (the type-check test asserts an error on each of them and on no other line).
 */
import {
  Pipeline,
  boundedOutOfOrderness,
  collectSink,
  defineIterableSource,
  fileSource,
  generatorSource,
  iterableSource,
  resultsSink,
  sinkSpec,
  sourceSpec,
  tumblingWindows,
  writableSink,
} from '../../../src/index.js';
import { byLine, byUser, countEvents, counter, digits, eventAmountTime, lengthOf, perLine, printer, scaled, sumAmounts, sumNumbers, totals } from './ops.js';
import type { Event } from './ops.js';

const pipeline = new Pipeline();
const lines = pipeline.source(fileSource({ path: 'in.txt', format: 'lines' }));
const events = pipeline.source(fileSource<Event>({ path: 'events.ndjson', format: 'ndjson' }));
const generated = pipeline.source(generatorSource({ count: 10 }));

// 1. A map of number[] on a stream of strings.
lines.map(digits); // mistake

// 2. keyBy a field that the records do not have, an index past a tuple's end, a field of strings.
events.keyBy('no_such_field'); // mistake
generated.keyBy(3); // mistake
lines.keyBy('length'); // mistake
lines.keyBy(byUser); // mistake

// 3. A process function that takes another record type.
events.keyBy(byUser).process(perLine); // mistake
lines.keyBy(byLine).process(totals); // mistake

// 4. A number reduce on strings.
lines.keyBy(byLine).reduce(sumNumbers); // mistake

// Operator options are checked against the function: required, and of its type.
lines.map(lengthOf).map(scaled); // mistake
lines.map(lengthOf).map(scaled, { options: { factor: 'two' } }); // mistake

// A sink of numbers on a stream of strings.
lines.sink(collectSink<number>()); // mistake

// Node interop: a source needs an iterable or a Readable, a sink a Writable.
pipeline.source(iterableSource(42)); // mistake
lines.sink(writableSink('out.txt')); // mistake
// Results typed as the stream's records.
const handle = lines.sink(resultsSink<string>());
async function readResults(): Promise<void> {
  for await (const value of pipeline.start().results(handle)) {
    const n: number = value; // mistake
    void n;
  }
}
void readResults;
lines.sink(resultsSink<number>()); // mistake
// Your own sources and sinks: options of their type, records of the stream's type.
pipeline.source(sourceSpec(counter, { upTo: 'ten' })); // mistake
lines.sink(sinkSpec(printer, { prefix: '> ' })); // mistake
export const notIterable = defineIterableSource(import.meta, () => 42); // mistake

// Event time: a timestamp assigner of another record type; a window aggregate of another record type.
pipeline.source(fileSource({ path: 'in.txt', format: 'lines' }), { watermarks: boundedOutOfOrderness({ timestamp: eventAmountTime }) }); // mistake
lines.keyBy(byLine).window(tumblingWindows(10)).aggregate(sumAmounts); // mistake
events.keyBy(byUser).window(tumblingWindows(10)).aggregate(sumAmounts, countEvents); // mistake
