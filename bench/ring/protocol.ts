/**
 * What the main thread and the benchmark's workers share: the control words, the messages
 * they exchange, and the sequence stamp every transport writes into and checks in each
 * message, the same way, so no transport gets away with doing less.
 */
import type { MessagePort } from 'node:worker_threads';

/** Control words shared by the main thread and both workers of a case (an Int32Array). */
export const CONTROL_BYTES = 64;
/** Set to 1 by the consumer when its measuring time is over; the producer then ends the repetition. */
export const STOP = 0;

/** Frame type of a message in the ring transports. */
export const DATA_FRAME = 1;
/** Frame type of the marker the producer sends after the last message of a repetition. */
export const END_OF_REPETITION_FRAME = 2;

/** Which end of a case a worker plays. */
export type Role = 'producer' | 'consumer';

/** Main thread → worker. */
export type CommandMessage = { type: 'run'; repetition: number; durationMs: number };

/** Worker → main thread. */
export type ReportMessage =
  | { type: 'ready'; role: Role }
  | { type: 'armed' }
  | { type: 'consumed'; repetition: number; messages: number; elapsedMs: number; parks: number }
  | { type: 'produced'; repetition: number; messages: number; parks: number }
  | { type: 'failed'; role: Role; message: string };

/** Consumer → producer over a message port: flow control (messages consumed so far). */
export type AckMessage = { type: 'ack'; consumed: number };

/** Producer → consumer over a message port after the last message of a repetition. */
export type EndOfRepetitionMessage = { type: 'end-of-repetition' };

/** Throws on a message type a switch did not expect. */
export function assertNever(value: never): never {
  throw new Error(`unexpected message ${JSON.stringify(value)}`);
}

/**
 * Writes `sequence` (an integer below 2^53) little-endian into the first 8 bytes at `offset`.
 * Byte stores, so it works at any offset of any Uint8Array, shared or not.
 */
export function writeSequence(bytes: Uint8Array, offset: number, sequence: number): void {
  const low = sequence >>> 0;
  const high = (sequence - low) / 4294967296;
  bytes[offset] = low;
  bytes[offset + 1] = low >>> 8;
  bytes[offset + 2] = low >>> 16;
  bytes[offset + 3] = low >>> 24;
  bytes[offset + 4] = high;
  bytes[offset + 5] = high >>> 8;
  bytes[offset + 6] = high >>> 16;
  bytes[offset + 7] = high >>> 24;
}

/** Reads the sequence number {@link writeSequence} wrote at `offset`. */
export function readSequence(bytes: Uint8Array, offset: number): number {
  const low = (bytes[offset]! | (bytes[offset + 1]! << 8) | (bytes[offset + 2]! << 16) | (bytes[offset + 3]! << 24)) >>> 0;
  const high = (bytes[offset + 4]! | (bytes[offset + 5]! << 8) | (bytes[offset + 6]! << 16) | (bytes[offset + 7]! << 24)) >>> 0;
  return high * 4294967296 + low;
}

/** A payload of `bytes` bytes with a recognisable pattern (the sequence stamp overwrites its start). */
export function makePayload(bytes: number): Uint8Array {
  const payload = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) payload[i] = (i * 31 + 7) & 0xff;
  return payload;
}

/** The error a consumer throws when a message is not the one it expected. */
export function sequenceError(transport: string, expected: number, got: number, length: number, wanted: number): Error {
  return new Error(
    `${transport}: expected message ${expected} of ${wanted} bytes, got message ${got} of ${length} bytes ` +
      '(lost, duplicated or torn message: the transport is broken)',
  );
}

/**
 * The consumer's clock for one repetition: it starts at the first message and runs out, once,
 * after `durationMs`; messages that arrive after that are drained, not measured.
 */
export class RepetitionClock {
  readonly #durationMs: number;
  #startedAt = -1;
  #expired = false;
  #measuredMessages = 0;
  #measuredMs = 0;

  constructor(durationMs: number) {
    this.#durationMs = durationMs;
  }

  /** Starts the clock, if it is not running yet: call it on each message before counting it. */
  start(): void {
    if (this.#startedAt < 0) this.#startedAt = performance.now();
  }

  /**
   * Checks the time (every few hundred messages: reading the clock costs ~40 ns); true, once,
   * when it has run out, `messages` (counted since the first) being the ones measured.
   */
  expire(messages: number): boolean {
    if (this.#expired || this.#startedAt < 0) return false;
    const elapsed = performance.now() - this.#startedAt;
    if (elapsed < this.#durationMs) return false;
    this.#expired = true;
    this.#measuredMessages = messages;
    this.#measuredMs = elapsed;
    return true;
  }

  /** Whether the measuring time has run out. */
  get expired(): boolean {
    return this.#expired;
  }

  /** Messages counted while the clock ran. */
  get measuredMessages(): number {
    return this.#measuredMessages;
  }

  /** Milliseconds from the first message to the end of the measurement. */
  get measuredMs(): number {
    return this.#measuredMs;
  }
}

/** What every worker of a case is given. */
export interface CaseWorkerData {
  readonly role: Role;
  /** Payload bytes of every message. */
  readonly messageBytes: number;
  /** {@link CONTROL_BYTES} of control words ({@link STOP}). */
  readonly control: SharedArrayBuffer;
}

/** Workers of the shared-memory cases, which park on a doorbell when blocked. */
export interface DoorbellWorkerData extends CaseWorkerData {
  readonly producerDoorbell: SharedArrayBuffer;
  readonly consumerDoorbell: SharedArrayBuffer;
  /** Doorbell spin (checks before parking); the library's default is 200. */
  readonly spin: number;
}

/** Workers of the sluice ring cases. */
export interface SluiceWorkerData extends DoorbellWorkerData {
  readonly ring: SharedArrayBuffer;
  /** The writer's publishEveryBytes: a quarter of the ring (batched) or 1 (every message). */
  readonly publishEveryBytes: number;
}

/** Workers of the ringbuf.js cases. */
export interface RingbufWorkerData extends DoorbellWorkerData {
  /** Storage from `RingBuffer.getStorageForCapacity(capacityBytes / 4, Uint32Array)`. */
  readonly ring: SharedArrayBuffer;
  readonly capacityBytes: number;
  /** Messages per push (64, fewer when 64 records exceed a quarter of the ring). */
  readonly batchMessages: number;
}

/** Workers of the postMessage and MessageChannel cases. */
export interface PortWorkerData extends CaseWorkerData {
  readonly mode: 'single' | 'batch1000';
  /** The port to the peer worker (MessageChannel), or undefined to use parentPort (main thread). */
  readonly port: MessagePort | undefined;
  /** Messages the producer may have in flight (not yet acknowledged). */
  readonly windowMessages: number;
  /** Messages after which the consumer acknowledges. */
  readonly ackEveryMessages: number;
}
