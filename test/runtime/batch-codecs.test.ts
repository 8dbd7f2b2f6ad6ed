/**
 * Record batch codecs: every shape (numeric, object, string, schema) round-trips through a
 * batch frame, with and without the key-group and event-time columns, whole, in steps, and after the cursor
 * detached the frame from (then overwritten) ring memory; the rest of a half-processed frame
 * re-encodes to a frame that decodes to the same records. Records that do not match a schema
 * fail with the field's name; a record too large for a frame fails with the limit.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OBJECT_RECORDS, STRING_RECORDS, numericRecords, recordSchema } from '../../src/api/specs.js';
import type { RecordShape } from '../../src/api/specs.js';
import { FRAME_HEADER_BYTES } from '../../native-free-buffers/index.js';
import { BatchCursor, createBatchEncoder } from '../../src/runtime/record-batch.js';

const EVENT = recordSchema({ seq: 'number', user: 'string', amount: 'number', late: 'boolean', note: 'string' });

interface Decoded {
  readonly record: unknown;
  readonly ingestNanos: number;
  readonly keyGroup: number;
  readonly eventTime: number;
}

/** The event time the encoder is given for record `index` (every seventh has none). */
const eventTimeOf = (index: number) => (index % 7 === 3 ? NaN : 1_700_000_000_000 + index * 3.5);

/** Encodes `records` into frames as a channel does, copying each frame into its own 8-aligned buffer. */
function encode(
  shape: RecordShape,
  records: readonly unknown[],
  keyGroups: boolean,
  maxFrameBytes = 1 << 16,
  eventTimes = false,
): Array<{ frameType: number; bytes: Uint8Array }> {
  const encoder = createBatchEncoder(shape, maxFrameBytes, keyGroups, eventTimes);
  const frames: Array<{ frameType: number; bytes: Uint8Array }> = [];
  const take = () => {
    while (encoder.count > 0) {
      const payload = encoder.encode();
      const copy = new Uint8Array(new ArrayBuffer((payload.bytes.byteLength + 7) & ~7));
      copy.set(payload.bytes);
      frames.push({ frameType: payload.frameType, bytes: copy.subarray(0, payload.bytes.byteLength) });
    }
  };
  records.forEach((record, index) => {
    if (!encoder.add(record, index * 10, keyGroups ? index % 128 : -1, eventTimeOf(index))) {
      take();
      expect(encoder.add(record, index * 10, keyGroups ? index % 128 : -1, eventTimeOf(index))).toBe(true);
    }
    if (encoder.full) take();
  });
  take();
  return frames;
}

/**
 * Decodes frames with one cursor, `step` records at a time. It detaches after the first step
 * (and wipes the source, as the ring would reuse it), and again after every later step: a
 * subtask detaches each time it stops in the middle of a frame.
 */
function decode(shape: RecordShape, frames: ReadonlyArray<{ frameType: number; bytes: Uint8Array }>, step = 7): Decoded[] {
  const cursor = new BatchCursor(shape);
  const out: Decoded[] = [];
  for (const frame of frames) {
    cursor.begin(frame.frameType, frame.bytes, 0, frame.bytes.byteLength);
    let handed = 0;
    while (cursor.active) {
      handed += cursor.step((record, ingestNanos, keyGroup, eventTime) => out.push({ record, ingestNanos, keyGroup, eventTime }), step);
      cursor.detach();
      frame.bytes.fill(0xee); // the ring reuses the memory: a detached cursor must not read it
    }
  }
  return out;
}

const numericRecord = fc.tuple(fc.double({ noNaN: true }), fc.integer(), fc.double({ noNaN: true }));
const eventRecord = fc.record({
  seq: fc.integer(),
  user: fc.oneof(fc.constantFrom('ann', 'bob', 'cyd'), fc.string({ unit: 'grapheme', maxLength: 12 }), fc.string({ minLength: 65, maxLength: 200 })),
  amount: fc.double({ noNaN: true }),
  late: fc.boolean(),
  note: fc.string({ maxLength: 30 }),
});
const objectRecord = fc.record({ id: fc.integer(), tags: fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }) });
const stringRecord = fc.oneof(fc.constantFrom('the', 'quick', 'fox'), fc.string({ unit: 'grapheme', maxLength: 20 }));

describe.each([
  { name: 'numeric(3)', shape: numericRecords(3), records: numericRecord },
  { name: 'object', shape: OBJECT_RECORDS, records: objectRecord },
  { name: 'string', shape: STRING_RECORDS, records: stringRecord },
  { name: 'schema', shape: EVENT, records: eventRecord },
] as const)('$name batches', ({ shape, records }) => {
  it.each([
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ])('round-trip in steps and across a detach (key groups: %s, event times: %s)', (keyGroups, eventTimes) => {
    fc.assert(
      fc.property(fc.array(records as fc.Arbitrary<unknown>, { maxLength: 3000 }), (input) => {
        const decoded = decode(shape, encode(shape, input, keyGroups, 1 << 16, eventTimes));
        expect(decoded.map((entry) => entry.record)).toEqual(input);
        expect(decoded.map((entry) => entry.ingestNanos)).toEqual(input.map((_, index) => index * 10));
        expect(decoded.map((entry) => entry.keyGroup)).toEqual(input.map((_, index) => (keyGroups ? index % 128 : -1)));
        // Without the column, every record decodes without an event time (NaN).
        expect(decoded.map((entry) => entry.eventTime)).toEqual(input.map((_, index) => (eventTimes ? eventTimeOf(index) : NaN)));
      }),
      { numRuns: 25 },
    );
  });

  it('re-encodes the rest of a half-processed frame', () => {
    fc.assert(
      fc.property(fc.array(records as fc.Arbitrary<unknown>, { minLength: 2, maxLength: 200 }), fc.boolean(), fc.boolean(), (input, keyGroups, eventTimes) => {
        const [frame] = encode(shape, input, keyGroups, 1 << 20, eventTimes);
        const cursor = new BatchCursor(shape);
        cursor.begin(frame!.frameType, frame!.bytes, 0, frame!.bytes.byteLength);
        const half = Math.floor(input.length / 2);
        cursor.step(() => {}, half);
        const rest = cursor.remainingFrame();
        const view = new DataView(rest.buffer, rest.byteOffset);
        const payloadLength = view.getUint32(0, true);
        const frameType = view.getUint32(4, true);
        const replayed = decode(shape, [{ frameType, bytes: rest.subarray(FRAME_HEADER_BYTES, FRAME_HEADER_BYTES + payloadLength) }]);
        expect(replayed.map((entry) => entry.record)).toEqual(input.slice(half));
        // Event times stay with the records they belong to.
        expect(replayed.map((entry) => entry.eventTime)).toEqual(input.slice(half).map((_, index) => (eventTimes ? eventTimeOf(half + index) : NaN)));
      }),
      { numRuns: 25 },
    );
  });
});

describe('schema records', () => {
  it('decode to objects with the declared fields in the declared order', () => {
    const [record] = decode(EVENT, encode(EVENT, [{ note: 'n', late: true, amount: 1.5, user: 'ann', seq: 3 }], false)).map((entry) => entry.record);
    expect(Object.keys(record as object)).toEqual(['seq', 'user', 'amount', 'late', 'note']);
  });

  it('intern short strings: equal words decode to equal strings, across frames', () => {
    const decoded = decode(STRING_RECORDS, encode(STRING_RECORDS, Array.from({ length: 5000 }, (_, index) => ['alpha', 'beta', 'gamma'][index % 3]), false));
    expect(new Set(decoded.map((entry) => entry.record))).toEqual(new Set(['alpha', 'beta', 'gamma']));
  });

  it.each([
    [{ seq: '1', user: 'a', amount: 1, late: false, note: '' }, "field 'seq' of a schema record must be a number, got the string \"1\""],
    [{ seq: 1, user: 7, amount: 1, late: false, note: '' }, "field 'user' of a schema record must be a string, got number"],
    [{ seq: 1, user: 'a', amount: 1, late: 0, note: '' }, "field 'late' of a schema record must be a boolean, got number"],
    [null, 'a schema record must be an object, got null'],
  ])('reject %j with the field and what it got', (record, message) => {
    expect(() => encode(EVENT, [record], false)).toThrow(message);
  });

  it('decode exactly when distinct words of one length outnumber the intern table (slots collide)', () => {
    const words = Array.from({ length: 30_000 }, (_, index) => index.toString(36).padStart(4, 'a'));
    const decoded = decode(STRING_RECORDS, encode(STRING_RECORDS, [...words, ...words], false));
    expect(decoded.map((entry) => entry.record)).toEqual([...words, ...words]);
  });

  it('reject a record larger than a frame, saying what to change', () => {
    expect(() => encode(STRING_RECORDS, ['x'.repeat(5000)], false, 4096)).toThrow(/exceeds the channel's frame limit of 4096 bytes; give the pipeline a larger channelBytes/);
  });

  it.each([
    [{}, 'a schema needs at least one field'],
    [{ 'not an identifier': 'number' }, 'must be an identifier'],
    [{ amount: 'float' }, "field 'amount' has type \"float\"; use one of 'number', 'string', 'boolean'"],
  ])('refuse the declaration %j', (fields, message) => {
    expect(() => recordSchema(fields as never)).toThrow(message);
  });
});
