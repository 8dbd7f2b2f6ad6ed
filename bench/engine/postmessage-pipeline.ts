/**
 * What a Node user would write by hand to use two cores: one worker thread runs source → map and
 * posts batches of records (structured clone) to a second that runs the keyed reduce and the
 * sink, with a few batches of credit so the producer cannot run away. Thread start-up counts,
 * as it does for sluice.
 */
import { MessageChannel, Worker } from 'node:worker_threads';
import type { BenchSinkResult, BenchSourceOptions } from './ops.js';
import type { PipelineWorkerData } from './postmessage-worker.js';
import type { BaselineRun } from './stream-baseline.js';

/** Records per postMessage: large enough to amortize a message, as a user would batch. */
const BATCH_RECORDS = 1000;
/** Batches the producer may post before the consumer has taken them. */
const BATCHES_IN_FLIGHT = 8;

const WORKER = new URL('./postmessage-worker.js', import.meta.url);

/** Runs the two-thread pipeline over `options.count` records. */
export async function runPostMessagePipeline(shape: 'numeric' | 'object', options: BenchSourceOptions): Promise<BaselineRun> {
  const started = performance.now();
  const { port1, port2 } = new MessageChannel();
  const start = (role: PipelineWorkerData['role'], port: typeof port1) => {
    const workerData: PipelineWorkerData = { role, shape, options, port, batchRecords: BATCH_RECORDS, batchesInFlight: BATCHES_IN_FLIGHT };
    return new Worker(WORKER, { workerData, transferList: [port] });
  };
  const producer = start('produce', port1);
  const consumer = start('consume', port2);
  const failed = (worker: Worker) =>
    new Promise<never>((_, reject) => {
      worker.once('error', reject);
      worker.once('exit', (code) => code !== 0 && reject(new Error(`a postMessage pipeline worker exited with code ${code}`)));
    });
  const result = await Promise.race([
    new Promise<BenchSinkResult>((resolve) => consumer.once('message', resolve)),
    failed(producer),
    failed(consumer),
  ]);
  await Promise.all([producer.terminate(), consumer.terminate()]);
  return { durationMs: performance.now() - started, result };
}
