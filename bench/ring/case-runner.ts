/**
 * The main thread's side of a case: its two workers (or one worker and the main thread as
 * consumer), and one repetition run over them.
 */
import { Worker } from 'node:worker_threads';
import type { TransferListItem } from 'node:worker_threads';
import type { PortConsumer } from './port-transport.js';
import { isStreamValue } from './port-transport.js';
import { STOP } from './protocol.js';
import type { CommandMessage, PortWorkerData, ReportMessage, RingbufWorkerData, SluiceWorkerData } from './protocol.js';

/** What any benchmark worker is started with. */
export type AnyWorkerData = SluiceWorkerData | RingbufWorkerData | PortWorkerData;

type Report<T extends ReportMessage['type']> = Extract<ReportMessage, { type: T }>;

/** A worker of a case, its reports queued until the main thread asks for them. */
export class CaseWorker {
  readonly worker: Worker;
  /** Rejected with the first failure of this worker (or of the main thread consuming its messages). */
  readonly failed: Promise<never>;
  #rejectFailed: (error: Error) => void = () => {};
  readonly #role: string;
  readonly #reports: ReportMessage[] = [];
  #waiting: { resolve: (report: ReportMessage) => void; reject: (error: Error) => void } | undefined;
  #failure: Error | undefined;
  #closed = false;

  /**
   * Starts `file` (relative to this module, compiled) with `data`. When `onStreamValue` is
   * given, the main thread consumes this worker's messages: stream values go there.
   */
  constructor(file: string, data: AnyWorkerData, transferList: TransferListItem[], onStreamValue?: (value: unknown) => void) {
    this.#role = data.role;
    this.failed = new Promise<never>((_, reject) => {
      this.#rejectFailed = reject;
    });
    this.failed.catch(() => {}); // observed through next() and runRepetition's race
    this.worker = new Worker(new URL(file, import.meta.url), { workerData: data, transferList });
    this.worker.on('message', (value: unknown) => {
      if (onStreamValue !== undefined && isStreamValue(value)) {
        try {
          onStreamValue(value);
        } catch (error) {
          this.#fail(error instanceof Error ? error : new Error(String(error)));
        }
        return;
      }
      const report = value as ReportMessage;
      if (report.type === 'failed') this.#fail(new Error(`${data.role} worker failed: ${report.message}`));
      else this.#deliver(report);
    });
    this.worker.on('error', (error) => this.#fail(error));
    this.worker.on('exit', (code) => {
      if (!this.#closed) this.#fail(new Error(`${data.role} worker exited with code ${code}`));
    });
  }

  /** The next report, which must be of type `type`. */
  async next<T extends ReportMessage['type']>(type: T, timeoutMs: number): Promise<Report<T>> {
    const report = await this.#take(timeoutMs);
    if (report.type !== type) throw new Error(`expected a '${type}' report from the ${this.#role}, got ${JSON.stringify(report)}`);
    return report as Report<T>;
  }

  /** Sends a command to the worker. */
  post(command: CommandMessage): void {
    this.worker.postMessage(command);
  }

  /** Stops the worker. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.worker.terminate();
  }

  #take(timeoutMs: number): Promise<ReportMessage> {
    const queued = this.#reports.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting = undefined;
        reject(new Error(`no report from the ${this.#role} within ${timeoutMs} ms (deadlock?)`));
      }, timeoutMs);
      this.#waiting = {
        resolve: (report) => {
          clearTimeout(timer);
          resolve(report);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
    });
  }

  #deliver(report: ReportMessage): void {
    const waiting = this.#waiting;
    this.#waiting = undefined;
    if (waiting !== undefined) waiting.resolve(report);
    else this.#reports.push(report);
  }

  #fail(error: Error): void {
    if (this.#failure !== undefined) return;
    this.#failure = error;
    this.#rejectFailed(error);
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.reject(error);
  }
}

/** The consumer of a case: a worker, or the main thread itself (worker postMessage cases). */
export type CaseConsumer = { readonly kind: 'worker'; readonly worker: CaseWorker } | { readonly kind: 'main'; readonly consumer: PortConsumer };

/** The two ends of a started case and their shared control words. */
export interface CaseEnds {
  readonly producer: CaseWorker;
  readonly consumer: CaseConsumer;
  readonly control: Int32Array;
}

/** What one repetition of a case measured. */
export interface RepetitionResult {
  /** Messages consumed per second while the consumer's clock ran. */
  readonly messagesPerSecond: number;
  /** Messages the producer sent in the repetition (the drain after the clock included). */
  readonly produced: number;
  /** Times the producer and the consumer parked on their doorbells (shared-memory cases). */
  readonly producerParks: number;
  readonly consumerParks: number;
}

/** Waits until both workers of a case have started. */
export async function caseReady(ends: CaseEnds, timeoutMs: number): Promise<void> {
  await ends.producer.next('ready', timeoutMs);
  if (ends.consumer.kind === 'worker') await ends.consumer.worker.next('ready', timeoutMs);
}

/**
 * Runs one repetition: clears the stop word, arms the consumer, then starts the producer
 * (so the consumer's clock starts at the first message), and waits for both reports.
 */
export async function runRepetition(ends: CaseEnds, repetition: number, durationMs: number, timeoutMs: number): Promise<RepetitionResult> {
  const { producer, consumer, control } = ends;
  const command: CommandMessage = { type: 'run', repetition, durationMs };
  Atomics.store(control, STOP, 0);
  let consumed: Promise<Report<'consumed'>>;
  if (consumer.kind === 'worker') {
    consumer.worker.post(command);
    await consumer.worker.next('armed', timeoutMs);
    consumed = consumer.worker.next('consumed', timeoutMs);
  } else {
    consumed = new Promise((resolve) => {
      consumer.consumer.arm(repetition, durationMs, (report) => resolve(report as Report<'consumed'>));
    });
  }
  producer.post(command);
  const both = Promise.all([consumed, producer.next('produced', timeoutMs)]);
  const failures = consumer.kind === 'worker' ? [producer.failed, consumer.worker.failed] : [producer.failed];
  const [consumption, production] = await Promise.race([both, ...failures]);
  return {
    messagesPerSecond: consumption.messages / (consumption.elapsedMs / 1000),
    produced: production.messages,
    producerParks: production.parks,
    consumerParks: consumption.parks,
  };
}

/** Stops the workers of a case. */
export async function closeCase(ends: CaseEnds): Promise<void> {
  await ends.producer.close();
  if (ends.consumer.kind === 'worker') await ends.consumer.worker.close();
}
