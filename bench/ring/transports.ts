/**
 * The cases of the ring benchmark: how each transport's two ends are set up.
 */
import { MessageChannel } from 'node:worker_threads';
import type { Worker } from 'node:worker_threads';
import { RingBuffer } from 'ringbuf.js';
import { Doorbell, allocateRing, frameBytes } from '../../native-free-buffers/index.js';
import { CaseWorker } from './case-runner.js';
import type { CaseEnds } from './case-runner.js';
import { PORT_BATCH_MESSAGES, PortConsumer } from './port-transport.js';
import type { PortMode, PortTransportOptions } from './port-transport.js';
import { CONTROL_BYTES } from './protocol.js';
import type { PortWorkerData, RingbufWorkerData, SluiceWorkerData } from './protocol.js';

/** Settings every case of a run shares. */
export interface TransportSettings {
  /** Data-region bytes of every ring (sluice and ringbuf.js), and about the bytes a port producer keeps in flight. */
  readonly ringCapacity: number;
  /** Doorbell spin of the shared-memory cases. */
  readonly spin: number;
}

/** One case of the table: a transport, a message size and a mode. */
export interface CaseSpec {
  readonly transport: string;
  readonly mode: string;
  readonly messageBytes: number;
  /** How the case moves messages, for the JSON's `extra`. */
  readonly note: string;
  /** Whether the case parks on doorbells (its park counts mean something). */
  readonly parks: boolean;
  readonly start: () => CaseEnds;
}

/** ringbuf.js batch: messages per push, fewer when 64 records exceed a quarter of the ring. */
const RINGBUF_BATCH_MESSAGES = 64;
/** A port producer may have at least this many messages in flight, however large they are. */
const PORT_MIN_WINDOW_MESSAGES = 1024;

function newControl(): SharedArrayBuffer {
  return new SharedArrayBuffer(CONTROL_BYTES);
}

function startSluice(settings: TransportSettings, messageBytes: number, mode: 'batched' | 'single'): CaseEnds {
  const control = newControl();
  const base = {
    messageBytes,
    control,
    ring: allocateRing({ capacity: settings.ringCapacity }),
    producerDoorbell: Doorbell.allocate(),
    consumerDoorbell: Doorbell.allocate(),
    spin: settings.spin,
    // Batched: the writer's default, a quarter of the ring. Single: every commit publishes.
    publishEveryBytes: mode === 'batched' ? settings.ringCapacity / 4 : 1,
  };
  const producer = new CaseWorker('./sluice-worker.js', { ...base, role: 'producer' } satisfies SluiceWorkerData, []);
  const consumer = new CaseWorker('./sluice-worker.js', { ...base, role: 'consumer' } satisfies SluiceWorkerData, []);
  return { producer, consumer: { kind: 'worker', worker: consumer }, control: new Int32Array(control) };
}

/** Messages per ringbuf.js push for `messageBytes` (records carry an 8-byte header). */
function ringbufBatchMessages(settings: TransportSettings, messageBytes: number): number {
  return Math.max(1, Math.min(RINGBUF_BATCH_MESSAGES, Math.floor(settings.ringCapacity / 4 / (messageBytes + 8))));
}

function startRingbuf(settings: TransportSettings, messageBytes: number): CaseEnds {
  const control = newControl();
  const base = {
    messageBytes,
    control,
    ring: RingBuffer.getStorageForCapacity(settings.ringCapacity / 4, Uint32Array),
    capacityBytes: settings.ringCapacity,
    batchMessages: ringbufBatchMessages(settings, messageBytes),
    producerDoorbell: Doorbell.allocate(),
    consumerDoorbell: Doorbell.allocate(),
    spin: settings.spin,
  };
  const producer = new CaseWorker('./ringbuf-worker.js', { ...base, role: 'producer' } satisfies RingbufWorkerData, []);
  const consumer = new CaseWorker('./ringbuf-worker.js', { ...base, role: 'consumer' } satisfies RingbufWorkerData, []);
  return { producer, consumer: { kind: 'worker', worker: consumer }, control: new Int32Array(control) };
}

/**
 * In-flight window and acknowledgement cadence of a port case: a ring's worth of bytes, but
 * at least 1024 messages (an acknowledgement's round trip through two event loops costs far
 * more than a ring's release, and a small window would measure that instead of postMessage).
 */
function portFlow(settings: TransportSettings, messageBytes: number, mode: PortMode): { windowMessages: number; ackEveryMessages: number } {
  if (mode === 'batch1000') return { windowMessages: 4 * PORT_BATCH_MESSAGES, ackEveryMessages: PORT_BATCH_MESSAGES };
  const windowMessages = Math.max(PORT_MIN_WINDOW_MESSAGES, Math.floor(settings.ringCapacity / frameBytes(messageBytes)));
  return { windowMessages, ackEveryMessages: Math.floor(windowMessages / 4) };
}

/** A MessageChannel between the two workers. */
function startMessageChannel(settings: TransportSettings, messageBytes: number): CaseEnds {
  const control = newControl();
  const { port1, port2 } = new MessageChannel();
  const base = { messageBytes, control, mode: 'single' as const, ...portFlow(settings, messageBytes, 'single') };
  const producer = new CaseWorker('./port-worker.js', { ...base, role: 'producer', port: port1 } satisfies PortWorkerData, [port1]);
  const consumer = new CaseWorker('./port-worker.js', { ...base, role: 'consumer', port: port2 } satisfies PortWorkerData, [port2]);
  return { producer, consumer: { kind: 'worker', worker: consumer }, control: new Int32Array(control) };
}

/** Worker postMessage to the main thread, which consumes. */
function startPostMessage(settings: TransportSettings, messageBytes: number, mode: PortMode): CaseEnds {
  const control = newControl();
  const flow = portFlow(settings, messageBytes, mode);
  const options: PortTransportOptions = { mode, messageBytes, control: new Int32Array(control), ...flow };
  let producerWorker: Worker | undefined;
  const consumer = new PortConsumer(options, { postMessage: (value) => producerWorker?.postMessage(value) }, 'postMessage');
  const producer = new CaseWorker(
    './port-worker.js',
    { role: 'producer', messageBytes, control, mode, port: undefined, ...flow } satisfies PortWorkerData,
    [],
    (value) => consumer.receive(value),
  );
  producerWorker = producer.worker;
  return { producer, consumer: { kind: 'main', consumer }, control: options.control };
}

/** Every case for each of `sizes`, grouped by size. */
export function caseSpecs(settings: TransportSettings, sizes: readonly number[]): CaseSpec[] {
  const quarterKiB = settings.ringCapacity / 4 / 1024;
  return sizes.flatMap((messageBytes): CaseSpec[] => {
    const window = portFlow(settings, messageBytes, 'single').windowMessages;
    return [
      {
        transport: 'sluice',
        mode: 'batched',
        messageBytes,
        note: `publish every ${quarterKiB} KiB`,
        parks: true,
        start: () => startSluice(settings, messageBytes, 'batched'),
      },
      {
        transport: 'sluice',
        mode: 'single',
        messageBytes,
        note: 'publish every message',
        parks: true,
        start: () => startSluice(settings, messageBytes, 'single'),
      },
      {
        transport: 'ringbuf.js',
        mode: 'batched',
        messageBytes,
        note: `${ringbufBatchMessages(settings, messageBytes)} length-prefixed records per push, Uint32 elements`,
        parks: true,
        start: () => startRingbuf(settings, messageBytes),
      },
      {
        transport: 'MessageChannel',
        mode: 'single',
        messageBytes,
        note: `worker to worker, one Uint8Array per message, ${window} in flight`,
        parks: false,
        start: () => startMessageChannel(settings, messageBytes),
      },
      {
        transport: 'postMessage',
        mode: 'single',
        messageBytes,
        note: `worker to main thread, one Uint8Array per message, ${window} in flight`,
        parks: false,
        start: () => startPostMessage(settings, messageBytes, 'single'),
      },
      {
        transport: 'postMessage',
        mode: 'batch1000',
        messageBytes,
        note: 'worker to main thread, arrays of 1000 Uint8Arrays, 4 arrays in flight',
        parks: false,
        start: () => startPostMessage(settings, messageBytes, 'batch1000'),
      },
    ];
  });
}
