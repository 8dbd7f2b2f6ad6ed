/**
 * One end of a sluice ring case. The producer copies a reused payload into a reserved frame,
 * stamps its sequence number and commits; the consumer reads frames in place and checks each
 * one's length and sequence number. Each parks on its own doorbell only when blocked.
 */
import { workerData } from 'node:worker_threads';
import { Doorbell, RingReader, RingWriter } from '../../native-free-buffers/index.js';
import {
  DATA_FRAME,
  END_OF_REPETITION_FRAME,
  RepetitionClock,
  STOP,
  makePayload,
  readSequence,
  sequenceError,
  writeSequence,
} from './protocol.js';
import type { CommandMessage, ReportMessage, SluiceWorkerData } from './protocol.js';
import { serveRepetitions } from './serve.js';

const data = workerData as SluiceWorkerData;
const control = new Int32Array(data.control);
const size = data.messageBytes;

/** Messages between two looks at the stop word (producer) or at the clock (consumer). */
const CHECK_EVERY = 256;

if (data.role === 'producer') {
  const writer = new RingWriter(data.ring, { consumerDoorbell: data.consumerDoorbell, publishEveryBytes: data.publishEveryBytes });
  const bell = new Doorbell(data.producerDoorbell, { spin: data.spin });
  const payload = makePayload(size);
  const bytes = writer.bytes;
  let sequence = 0;

  const reserve = (payloadBytes: number): number => {
    let offset = writer.tryReserve(payloadBytes);
    while (offset < 0) {
      const sample = bell.sample();
      offset = writer.tryReserve(payloadBytes);
      if (offset < 0) bell.wait(sample);
    }
    return offset;
  };

  serveRepetitions('producer', (command: CommandMessage): ReportMessage => {
    const first = sequence;
    const parksBefore = bell.parks;
    for (;;) {
      if ((sequence & (CHECK_EVERY - 1)) === 0 && Atomics.load(control, STOP) !== 0) break;
      const offset = reserve(size);
      bytes.set(payload, offset);
      writeSequence(bytes, offset, sequence);
      writer.commit(size, DATA_FRAME);
      sequence++;
    }
    reserve(0);
    writer.commit(0, END_OF_REPETITION_FRAME);
    writer.publish();
    return { type: 'produced', repetition: command.repetition, messages: sequence - first, parks: bell.parks - parksBefore };
  });
} else {
  const reader = new RingReader(data.ring, { producerDoorbell: data.producerDoorbell });
  const bell = new Doorbell(data.consumerDoorbell, { spin: data.spin });
  const bytes = reader.bytes;
  let expected = 0;

  serveRepetitions('consumer', (command: CommandMessage): ReportMessage => {
    const clock = new RepetitionClock(command.durationMs);
    const parksBefore = bell.parks;
    let messages = 0;
    for (;;) {
      if (!reader.tryRead()) {
        const sample = bell.sample();
        if (!reader.tryRead()) {
          bell.wait(sample);
          continue;
        }
      }
      if (reader.frameType !== DATA_FRAME) {
        if (reader.frameType === END_OF_REPETITION_FRAME) break;
        throw new Error(`sluice: unexpected frame type ${reader.frameType}`);
      }
      const offset = reader.frameOffset;
      const sequence = readSequence(bytes, offset);
      if (sequence !== expected || reader.frameLength !== size) {
        throw sequenceError('sluice', expected, sequence, reader.frameLength, size);
      }
      expected++;
      if (messages === 0) clock.start();
      messages++;
      if ((messages & (CHECK_EVERY - 1)) === 0 && clock.expire(messages)) Atomics.store(control, STOP, 1);
    }
    reader.release();
    return { type: 'consumed', repetition: command.repetition, messages: clock.measuredMessages, elapsedMs: clock.measuredMs, parks: bell.parks - parksBefore };
  });
}
