/**
 * The two threads of the hand-written baseline (see postmessage-pipeline.ts): `produce` runs
 * source → map and posts batches of records; `consume` runs the keyed reduce and the sink, and
 * returns a credit per batch so that no more than a few batches are in flight.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import type { Collector, Key } from '../../src/index.js';
import { numericMap, numericSink, numericSource, numericSum, objectMap, objectSink, objectSource, objectSum } from './ops.js';
import type { BenchSourceOptions } from './ops.js';
import { BASELINE_CONTEXT } from './stream-baseline.js';

/** What the main thread hands each worker. */
export interface PipelineWorkerData {
  readonly role: 'produce' | 'consume';
  readonly shape: 'numeric' | 'object';
  readonly options: BenchSourceOptions;
  readonly port: MessagePort;
  readonly batchRecords: number;
  readonly batchesInFlight: number;
}

const data = workerData as PipelineWorkerData;
const ops =
  data.shape === 'numeric'
    ? { source: numericSource.impl, map: numericMap.impl, reduce: numericSum.impl, sink: numericSink.impl, keyOf: (r: unknown) => (r as number[])[1] as Key }
    : { source: objectSource.impl, map: objectMap.impl, reduce: objectSum.impl, sink: objectSink.impl, keyOf: (r: unknown) => (r as { key: string }).key as Key };

async function produce(): Promise<void> {
  const source = (ops.source as (options: BenchSourceOptions) => ReturnType<typeof numericSource.impl>)(data.options);
  await source.open({ ...BASELINE_CONTEXT, wakeup() {}, deadLetters: { count: 0 } }, undefined);
  const map = ops.map as (record: unknown, ctx: typeof BASELINE_CONTEXT) => unknown;
  let credits = data.batchesInFlight;
  let creditWaiter: (() => void) | undefined;
  data.port.on('message', () => {
    credits++;
    creditWaiter?.();
  });
  let batch: unknown[] = [];
  const out: Collector<unknown> = {
    collect(record) {
      batch.push(map(record, BASELINE_CONTEXT));
    },
  };
  let status = 'more';
  while (status !== 'end') {
    status = source.poll(out as Collector<never>, data.batchRecords - batch.length);
    if (batch.length >= data.batchRecords || status === 'end') {
      while (credits === 0) await new Promise<void>((resolve) => (creditWaiter = resolve));
      credits--;
      data.port.postMessage(batch);
      batch = [];
    }
  }
  data.port.postMessage('end');
  data.port.close();
}

async function consume(): Promise<void> {
  const sink = (ops.sink as (options: unknown) => ReturnType<typeof numericSink.impl>)(undefined);
  await sink.open?.({ ...BASELINE_CONTEXT, wakeup() {} });
  const reduce = ops.reduce as (a: unknown, b: unknown, ctx: typeof BASELINE_CONTEXT) => unknown;
  const accumulators = new Map<Key, unknown>();
  await new Promise<void>((resolve) => {
    data.port.on('message', (message: unknown[] | 'end') => {
      if (message === 'end') {
        resolve();
        return;
      }
      data.port.postMessage(1);
      for (const record of message) {
        const key = ops.keyOf(record);
        const accumulator = accumulators.get(key);
        const next = accumulator === undefined ? record : reduce(accumulator, record, BASELINE_CONTEXT);
        accumulators.set(key, next);
        sink.write(next as never, 0);
      }
    });
  });
  parentPort!.postMessage(await sink.finish?.());
  data.port.close();
}

await (data.role === 'produce' ? produce() : consume());
