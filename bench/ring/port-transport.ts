/**
 * The two ends of the message-port cases (worker `postMessage` to the main thread, and a
 * MessageChannel between two workers). Structured clone has no back-pressure, so the
 * producer keeps at most a window of messages in flight and the consumer acknowledges every
 * quarter window, the way a real channel over ports must (without it a fast producer fills
 * memory and the measurement becomes one of the allocator). The window holds about as many
 * bytes as the rings of the shared-memory cases.
 */
import { RepetitionClock, STOP, makePayload, readSequence, sequenceError, writeSequence } from './protocol.js';
import type { AckMessage, EndOfRepetitionMessage, ReportMessage } from './protocol.js';

/** How messages go: one Uint8Array per postMessage, or arrays of 1000 of them. */
export type PortMode = 'single' | 'batch1000';

/** Messages in one postMessage of mode `batch1000`. */
export const PORT_BATCH_MESSAGES = 1000;

/** Whatever can post a value: a MessagePort, parentPort, or a Worker. */
export interface PostTarget {
  postMessage(value: unknown): void;
}

/** Settings shared by both ends. */
export interface PortTransportOptions {
  readonly mode: PortMode;
  readonly messageBytes: number;
  readonly windowMessages: number;
  readonly ackEveryMessages: number;
  readonly control: Int32Array;
}

/** Whether a value that came over a port is the producer's end-of-repetition marker. */
function isEndOfRepetition(value: unknown): value is EndOfRepetitionMessage {
  return typeof value === 'object' && value !== null && (value as { type?: unknown }).type === 'end-of-repetition';
}

/** Whether a value that came over a port is a message of the measured stream (or its end). */
export function isStreamValue(value: unknown): boolean {
  return value instanceof Uint8Array || Array.isArray(value) || isEndOfRepetition(value);
}

/**
 * The producing end: stamps a sequence number into a reused payload (or 1000 reused payloads)
 * and posts it, while fewer than `windowMessages` are unacknowledged.
 */
export class PortProducer {
  readonly #options: PortTransportOptions;
  readonly #data: PostTarget;
  readonly #single: Uint8Array;
  readonly #batch: Uint8Array[];
  #sequence = 0;
  #acknowledged = 0;
  #running = false;
  #repetition = 0;
  #firstOfRepetition = 0;
  #done: (report: ReportMessage) => void = () => {};

  constructor(options: PortTransportOptions, data: PostTarget) {
    this.#options = options;
    this.#data = data;
    this.#single = makePayload(options.messageBytes);
    this.#batch = [];
    if (options.mode === 'batch1000') {
      for (let i = 0; i < PORT_BATCH_MESSAGES; i++) this.#batch.push(makePayload(options.messageBytes));
    }
  }

  /** Starts a repetition; `done` receives the report once the stop word was seen. */
  run(repetition: number, done: (report: ReportMessage) => void): void {
    this.#repetition = repetition;
    this.#firstOfRepetition = this.#sequence;
    this.#done = done;
    this.#running = true;
    this.#pump();
  }

  /** Takes a consumer's acknowledgement and sends on. */
  acknowledge(ack: AckMessage): void {
    if (ack.consumed > this.#acknowledged) this.#acknowledged = ack.consumed;
    if (this.#running) this.#pump();
  }

  #pump(): void {
    const { control, windowMessages, mode } = this.#options;
    const data = this.#data;
    while (this.#running) {
      if (Atomics.load(control, STOP) !== 0) {
        this.#running = false;
        data.postMessage({ type: 'end-of-repetition' } satisfies EndOfRepetitionMessage);
        this.#done({ type: 'produced', repetition: this.#repetition, messages: this.#sequence - this.#firstOfRepetition, parks: 0 });
        return;
      }
      if (this.#sequence - this.#acknowledged >= windowMessages) return;
      if (mode === 'single') {
        writeSequence(this.#single, 0, this.#sequence++);
        data.postMessage(this.#single);
      } else {
        const batch = this.#batch;
        for (let i = 0; i < batch.length; i++) writeSequence(batch[i]!, 0, this.#sequence++);
        data.postMessage(batch);
      }
    }
  }
}

/**
 * The consuming end: checks each message's length and sequence number, counts it against the
 * repetition's clock, sets the stop word when time is up, and acknowledges to the producer.
 */
export class PortConsumer {
  readonly #options: PortTransportOptions;
  readonly #acks: PostTarget;
  readonly #transport: string;
  #expected = 0;
  #acknowledged = 0;
  #messages = 0;
  #clock = new RepetitionClock(0);
  #repetition = -1;
  #done: (report: ReportMessage) => void = () => {};

  constructor(options: PortTransportOptions, acks: PostTarget, transport: string) {
    this.#options = options;
    this.#acks = acks;
    this.#transport = transport;
  }

  /** Prepares a repetition of `durationMs`; `done` receives the report at the end marker. */
  arm(repetition: number, durationMs: number, done: (report: ReportMessage) => void): void {
    this.#repetition = repetition;
    this.#clock = new RepetitionClock(durationMs);
    this.#messages = 0;
    this.#done = done;
  }

  /** Takes one value from the port. */
  receive(value: unknown): void {
    if (value instanceof Uint8Array) {
      this.#check(value);
      this.#counted(1);
    } else if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) this.#check(value[i] as Uint8Array);
      this.#counted(value.length);
    } else if (isEndOfRepetition(value)) {
      this.#acknowledge();
      this.#done({
        type: 'consumed',
        repetition: this.#repetition,
        messages: this.#clock.measuredMessages,
        elapsedMs: this.#clock.measuredMs,
        parks: 0,
      });
    } else {
      throw new Error(`${this.#transport}: unexpected value on the data port: ${String(value)}`);
    }
  }

  #check(message: Uint8Array): void {
    const sequence = readSequence(message, 0);
    if (sequence !== this.#expected || message.byteLength !== this.#options.messageBytes) {
      throw sequenceError(this.#transport, this.#expected, sequence, message.byteLength, this.#options.messageBytes);
    }
    this.#expected++;
  }

  #counted(count: number): void {
    const clock = this.#clock;
    clock.start();
    const before = this.#messages;
    this.#messages = before + count;
    // Read the clock every 256 messages, as the ring consumers do.
    if (((before ^ this.#messages) & ~255) !== 0 && clock.expire(this.#messages)) {
      Atomics.store(this.#options.control, STOP, 1);
    }
    if (this.#expected - this.#acknowledged >= this.#options.ackEveryMessages) this.#acknowledge();
  }

  #acknowledge(): void {
    this.#acknowledged = this.#expected;
    this.#acks.postMessage({ type: 'ack', consumed: this.#expected } satisfies AckMessage);
  }
}
