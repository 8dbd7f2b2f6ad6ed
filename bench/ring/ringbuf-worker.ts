/**
 * One end of a ringbuf.js case. ringbuf.js moves typed-array elements, not messages, so
 * messages travel as length-prefixed records: an 8-byte header (payload length, 0) then the
 * payload, which keeps payloads 8-byte aligned as in sluice. The producer stages a batch of
 * records and pushes it with one `push` once the whole batch fits (a whole, unwrapped push is
 * ringbuf.js's fast path, a `TypedArray.set`); the consumer pops what is there (up to a quarter
 * of the ring) into its own buffer and parses the records. The ring holds Uint32 elements:
 * ringbuf.js copies element by element on `pop`, four times fewer steps than with bytes.
 * Parking uses the same doorbells as sluice, so both wait the same way.
 */
import { workerData } from 'node:worker_threads';
import { RingBuffer } from 'ringbuf.js';
import { Doorbell, DoorbellRinger } from '../../native-free-buffers/index.js';
import { RepetitionClock, STOP, makePayload, readSequence, sequenceError, writeSequence } from './protocol.js';
import type { CommandMessage, ReportMessage, RingbufWorkerData } from './protocol.js';
import { serveRepetitions } from './serve.js';

const data = workerData as RingbufWorkerData;
const control = new Int32Array(data.control);
const size = data.messageBytes;
const ring = new RingBuffer(data.ring, Uint32Array);

/** Bytes of a record header: payload length (uint32), then a zero word for alignment. */
const RECORD_HEADER_BYTES = 8;
/** Record length that marks the end of a repetition. */
const END_OF_REPETITION = 0xffff_ffff;
const recordWords = (RECORD_HEADER_BYTES + size) / 4;

if (data.role === 'producer') {
  const bell = new Doorbell(data.producerDoorbell, { spin: data.spin });
  const consumer = new DoorbellRinger(data.consumerDoorbell);
  const payload = makePayload(size);
  const batch = new Uint32Array(data.batchMessages * recordWords);
  const batchBytes = new Uint8Array(batch.buffer);
  for (let i = 0; i < data.batchMessages; i++) batch[i * recordWords] = size;
  const endMarker = new Uint32Array([END_OF_REPETITION, 0]);
  let sequence = 0;

  const pushWhole = (elements: Uint32Array): void => {
    while (ring.availableWrite() < elements.length) {
      const sample = bell.sample();
      if (ring.availableWrite() < elements.length) bell.wait(sample);
    }
    ring.push(elements);
    consumer.ring();
  };

  serveRepetitions('producer', (command: CommandMessage): ReportMessage => {
    const first = sequence;
    const parksBefore = bell.parks;
    while (Atomics.load(control, STOP) === 0) {
      for (let i = 0; i < data.batchMessages; i++) {
        const offset = i * recordWords * 4 + RECORD_HEADER_BYTES;
        batchBytes.set(payload, offset);
        writeSequence(batchBytes, offset, sequence++);
      }
      pushWhole(batch);
    }
    pushWhole(endMarker);
    return { type: 'produced', repetition: command.repetition, messages: sequence - first, parks: bell.parks - parksBefore };
  });
} else {
  const bell = new Doorbell(data.consumerDoorbell, { spin: data.spin });
  const producer = new DoorbellRinger(data.producerDoorbell);
  // Pop at most a quarter of the ring at a time (whole records), so the producer refills
  // while the consumer parses: the same cadence as sluice's release every quarter.
  const quarterWords = data.capacityBytes / 4 / 4;
  const popLimit = Math.max(recordWords, Math.floor(quarterWords / recordWords) * recordWords);
  const popped = new Uint32Array(popLimit + 2);
  const poppedBytes = new Uint8Array(popped.buffer);
  let expected = 0;

  serveRepetitions('consumer', (command: CommandMessage): ReportMessage => {
    const clock = new RepetitionClock(command.durationMs);
    const parksBefore = bell.parks;
    let messages = 0;
    for (;;) {
      let words = ring.pop(popped, popLimit);
      if (words === 0) {
        const sample = bell.sample();
        words = ring.pop(popped, popLimit);
        if (words === 0) {
          bell.wait(sample);
          continue;
        }
      }
      producer.ring();
      let index = 0;
      let ended = false;
      while (index < words) {
        const length = popped[index]!;
        if (length === END_OF_REPETITION) {
          ended = true;
          break;
        }
        const sequence = readSequence(poppedBytes, index * 4 + RECORD_HEADER_BYTES);
        if (sequence !== expected || length !== size) throw sequenceError('ringbuf.js', expected, sequence, length, size);
        expected++;
        index += recordWords;
      }
      const records = ended ? (index / recordWords) : words / recordWords;
      if (records > 0) {
        clock.start();
        messages += records;
        if (clock.expire(messages)) Atomics.store(control, STOP, 1);
      }
      if (ended) break;
    }
    return { type: 'consumed', repetition: command.repetition, messages: clock.measuredMessages, elapsedMs: clock.measuredMs, parks: bell.parks - parksBefore };
  });
}
