/**
 * The columnar batch codec of `schema` and `string` records: a batch frame holds, after the
 * timestamps, one float64 column per number or boolean field, the end offsets of every string,
 * and the strings' UTF-8 bytes. The encoder and the record builder are compiled once per schema
 * (field names are identifiers, checked by `recordSchema`), so a record costs a few stores to
 * encode and one object literal to decode, with no msgpackr and no field names on the wire.
 *
 * | offset | size | field |
 * |---|---|---|
 * | 0 | 4 | record count n |
 * | 4 | 4 | flags: KEY_GROUPS_FLAG, EVENT_TIME_FLAG or 0 |
 * | 8 | 8n | ingestion timestamps |
 * | 8 + 8n | 8n × f | f float64 columns (numbers; booleans as 0/1), field by field |
 * | then | 4n × s, padded to 8 | end offset of each string, record by record, field by field |
 * | then | rest | the strings' UTF-8 bytes, in the same order |
 *
 * With KEY_GROUPS_FLAG or EVENT_TIME_FLAG in the second word, the string bytes are padded to 8 and
 * the event-time and key-group columns follow (see frames.ts); {@link ColumnarFrameReader.bind} is
 * given the payload before them.
 */
import type { RecordShape, SchemaField } from '../api/specs.js';
import { BATCH_HEADER_BYTES, FRAME_COLUMNAR_BATCH } from './frames.js';
import type { BatchEncoder, BatchPayload } from './batch-encoder.js';
import { EventTimeColumn, KeyGroupColumn } from './batch-encoder.js';

/** Most records in one columnar batch. */
const MAX_RECORDS = 1024;
/** Strings up to this many bytes are interned on decode; longer ones are decoded each time. */
const INTERN_MAX_BYTES = 64;
/** Slots of a decoder's intern table (a power of two). */
const INTERN_SLOTS = 8192;

/** How a columnar shape lays out its fields. */
interface Layout {
  /** `string`: each record is a string; `schema`: an object of `fields`. */
  readonly kind: 'string' | 'schema';
  /** Every field, in declared order (the order of a decoded object's properties). */
  readonly fields: readonly SchemaField[];
  /** Number and boolean fields, in column order. */
  readonly numberFields: readonly SchemaField[];
  /** String fields, in the order of their offsets within a record. */
  readonly stringFields: readonly SchemaField[];
}

function layoutOf(shape: RecordShape): Layout {
  if (shape.kind === 'string') {
    const only: SchemaField = { name: '', type: 'string' };
    return { kind: 'string', fields: [only], numberFields: [], stringFields: [only] };
  }
  if (shape.kind !== 'schema') throw new TypeError(`a columnar batch needs a schema or string shape, got ${shape.kind}`);
  return {
    kind: 'schema',
    fields: shape.fields,
    numberFields: shape.fields.filter((field) => field.type !== 'string'),
    stringFields: shape.fields.filter((field) => field.type === 'string'),
  };
}

const align8 = (bytes: number) => (bytes + 7) & ~7;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string' ? `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}` : typeof value;
}

/** Thrown (wrapped as the emitting operator's failure) when a record does not match its schema. */
function mismatch(field: string, expected: string, value: unknown): never {
  throw new TypeError(
    field === ''
      ? `a string record was expected, got ${describe(value)}`
      : `field '${field}' of a schema record must be a ${expected}, got ${describe(value)}`,
  );
}

function notAnObject(value: unknown): never {
  throw new TypeError(`a schema record must be an object, got ${describe(value)}`);
}

/** Appends a string's UTF-8 bytes; returns the new end. */
type StringWriter = (value: string) => void;
/** Stores record `record` at batch index `index`. */
type RecordWriter = (record: unknown, index: number) => void;

/** Encodes `schema` and `string` records column by column. */
export class ColumnarBatchEncoder implements BatchEncoder {
  readonly #layout: Layout;
  readonly #capacity: number;
  readonly #maxFrameBytes: number;
  /** Payload size at which the batch counts as full. */
  readonly #targetBytes: number;
  readonly #timestamps: Float64Array;
  /** Number columns, column-major with stride `capacity`. */
  readonly #numbers: Float64Array;
  /** End offset of each string, in append order. */
  readonly #ends: Uint32Array;
  #bytes: Buffer;
  #byteLength = 0;
  #strings = 0;
  #count = 0;
  #scratch: Uint8Array;
  readonly #write: RecordWriter;
  readonly #keyGroups: KeyGroupColumn;
  readonly #eventTimes: EventTimeColumn;

  constructor(shape: RecordShape, maxFrameBytes: number, targetBytes: number, withKeyGroups = false, withEventTime = false) {
    const layout = layoutOf(shape);
    this.#layout = layout;
    this.#maxFrameBytes = maxFrameBytes;
    this.#targetBytes = Math.min(targetBytes, maxFrameBytes);
    const fixedPerRecord = 8 + 8 * layout.numberFields.length + 4 * layout.stringFields.length + (withKeyGroups ? 2 : 0) + (withEventTime ? 8 : 0);
    this.#capacity = Math.max(1, Math.min(MAX_RECORDS, Math.floor((this.#targetBytes - BATCH_HEADER_BYTES) / (fixedPerRecord + 4))));
    this.#timestamps = new Float64Array(this.#capacity);
    this.#numbers = new Float64Array(this.#capacity * layout.numberFields.length);
    this.#ends = new Uint32Array(this.#capacity * layout.stringFields.length);
    // Both grow on demand: a cursor re-encoding a frame's rest passes an unbounded target.
    this.#bytes = Buffer.allocUnsafe(Math.min(Math.max(1024, this.#targetBytes), 1 << 16));
    this.#scratch = new Uint8Array(Math.min(this.#targetBytes, 1 << 16));
    this.#keyGroups = new KeyGroupColumn(withKeyGroups, this.#capacity);
    this.#eventTimes = new EventTimeColumn(withEventTime, this.#capacity);
    this.#write = compileWriter(layout, this.#numbers, this.#capacity, (value) => this.#writeString(value));
  }

  get count(): number {
    return this.#count;
  }

  get full(): boolean {
    return this.#count === this.#capacity || this.#payloadBytes() >= this.#targetBytes;
  }

  get bytes(): number {
    return this.#payloadBytes();
  }

  add(record: unknown, ingestNanos: number, keyGroup: number, eventTime?: number): boolean {
    const index = this.#count;
    const bytesBefore = this.#byteLength;
    const stringsBefore = this.#strings;
    this.#write(record, index);
    if (this.#payloadBytes(index + 1) > this.#maxFrameBytes) {
      this.#byteLength = bytesBefore;
      this.#strings = stringsBefore;
      if (index === 0) {
        throw new RangeError(
          `a record of ${this.#payloadBytes(1) - BATCH_HEADER_BYTES} encoded bytes exceeds the channel's frame limit of ${this.#maxFrameBytes} bytes; ` +
            'give the pipeline a larger channelBytes (the frame limit is a quarter of it)',
        );
      }
      return false;
    }
    this.#timestamps[index] = ingestNanos;
    this.#keyGroups.set(index, keyGroup);
    this.#eventTimes.set(index, eventTime);
    this.#count = index + 1;
    return true;
  }

  encode(): BatchPayload {
    const count = this.#count;
    const size = this.#payloadBytes();
    if (size > this.#scratch.byteLength) this.#scratch = new Uint8Array(Math.max(size, this.#scratch.byteLength * 2));
    const buffer = this.#scratch.buffer;
    const header = new Uint32Array(buffer, 0, 2);
    header[0] = count;
    header[1] = (this.#keyGroups.flag | this.#eventTimes.flag) >>> 0;
    const floats = new Float64Array(buffer, BATCH_HEADER_BYTES, count * (1 + this.#layout.numberFields.length));
    floats.set(this.#timestamps.subarray(0, count), 0);
    for (let column = 0; column < this.#layout.numberFields.length; column++) {
      const start = column * this.#capacity;
      floats.set(this.#numbers.subarray(start, start + count), count * (1 + column));
    }
    let offset = BATCH_HEADER_BYTES + floats.byteLength;
    const strings = this.#strings;
    new Uint32Array(buffer, offset, strings).set(this.#ends.subarray(0, strings));
    offset += align8(strings * 4);
    this.#scratch.set(this.#bytes.subarray(0, this.#byteLength), offset);
    const payload = this.#scratch.subarray(0, size);
    this.#eventTimes.write(payload, 0, count, this.#keyGroups.bytes(count));
    this.#keyGroups.write(payload, 0, count);
    this.#count = 0;
    this.#strings = 0;
    this.#byteLength = 0;
    return { frameType: FRAME_COLUMNAR_BATCH, bytes: payload };
  }

  #payloadBytes(count = this.#count): number {
    const layout = this.#layout;
    const strings = align8(this.#strings * 4) + this.#byteLength;
    const trailers = this.#keyGroups.enabled || this.#eventTimes.enabled;
    return (
      BATCH_HEADER_BYTES +
      count * 8 * (1 + layout.numberFields.length) +
      (trailers ? align8(strings) + this.#eventTimes.bytes(count) + this.#keyGroups.bytes(count) : strings)
    );
  }

  #writeString(value: string): void {
    let position = this.#byteLength;
    const length = value.length;
    if (position + length * 3 > this.#bytes.byteLength) {
      const grown = Buffer.allocUnsafe(Math.max(this.#bytes.byteLength * 2, position + length * 3));
      this.#bytes.copy(grown, 0, 0, position);
      this.#bytes = grown;
    }
    const bytes = this.#bytes;
    let i = 0;
    // ASCII, the common case, is copied char by char: cheaper than a native call for short strings.
    for (; i < length; i++) {
      const code = value.charCodeAt(i);
      if (code >= 0x80) break;
      bytes[position + i] = code;
    }
    position += i < length ? bytes.write(value, position, 'utf8') : length;
    this.#byteLength = position;
    this.#ends[this.#strings++] = position;
  }
}

/**
 * Compiles the function that stores a record's fields at a batch index. Field names are
 * identifiers (checked by `recordSchema`) and are quoted with JSON.stringify besides.
 */
function compileWriter(layout: Layout, numbers: Float64Array, capacity: number, writeString: StringWriter): RecordWriter {
  if (layout.kind === 'string') {
    return (record) => {
      if (typeof record !== 'string') mismatch('', 'string', record);
      writeString(record);
    };
  }
  const lines = ['if (record === null || typeof record !== "object") notAnObject(record);', 'let v;'];
  layout.numberFields.forEach((field, column) => {
    const name = JSON.stringify(field.name);
    lines.push(`v = record[${name}];`);
    if (field.type === 'boolean') {
      lines.push(`if (typeof v !== "boolean") mismatch(${name}, "boolean", v);`, `numbers[${column * capacity} + index] = v ? 1 : 0;`);
    } else {
      lines.push(`if (typeof v !== "number") mismatch(${name}, "number", v);`, `numbers[${column * capacity} + index] = v;`);
    }
  });
  for (const field of layout.stringFields) {
    const name = JSON.stringify(field.name);
    lines.push(`v = record[${name}];`, `if (typeof v !== "string") mismatch(${name}, "string", v);`, 'writeString(v);');
  }
  const factory = new Function('numbers', 'writeString', 'mismatch', 'notAnObject', `return function writeRecord(record, index) {\n${lines.join('\n')}\n};`);
  return factory(numbers, writeString, mismatch, notAnObject) as RecordWriter;
}

/** Builds record `index` of the bound frame. */
type RecordBuilder = (index: number) => unknown;

/**
 * Reads columnar frames: binds to a frame's bytes (zero-copy, in ring memory or a copy) and
 * builds its records. Strings of up to 64 ASCII bytes are interned: the same word decodes to
 * the same string object, so keyed state and Maps downstream hash and compare it once.
 */
export class ColumnarFrameReader {
  readonly #layout: Layout;
  readonly #fields: number;
  readonly #strings: number;
  #count = 0;
  #timestamps: Float64Array = new Float64Array(0);
  #numbers: Float64Array = new Float64Array(0);
  #ends: Uint32Array = new Uint32Array(0);
  #bytes: Uint8Array = new Uint8Array(0);
  /** Where the string bytes start in {@link #bytes}. */
  #base = 0;
  #buffer: Buffer = Buffer.alloc(0);
  readonly #interned: Array<string | undefined> = new Array(INTERN_SLOTS).fill(undefined);
  readonly build: RecordBuilder;

  constructor(shape: RecordShape) {
    this.#layout = layoutOf(shape);
    this.#fields = this.#layout.numberFields.length;
    this.#strings = this.#layout.stringFields.length;
    this.build = this.#compileBuilder();
  }

  /** Records in the bound frame. */
  get count(): number {
    return this.#count;
  }

  /** Ingestion timestamps of the bound frame. */
  get timestamps(): Float64Array {
    return this.#timestamps;
  }

  /** Binds to the frame payload at `bytes[offset, offset + length)`, 8-byte aligned in its buffer. */
  bind(bytes: Uint8Array, offset: number, length: number): void {
    const start = bytes.byteOffset + offset;
    const count = new Uint32Array(bytes.buffer, start, 1)[0]!;
    this.#count = count;
    this.#timestamps = new Float64Array(bytes.buffer, start + BATCH_HEADER_BYTES, count);
    this.#numbers = new Float64Array(bytes.buffer, start + BATCH_HEADER_BYTES + count * 8, count * this.#fields);
    const endsAt = start + BATCH_HEADER_BYTES + count * 8 * (1 + this.#fields);
    this.#ends = new Uint32Array(bytes.buffer, endsAt, count * this.#strings);
    const stringsAt = endsAt + align8(count * this.#strings * 4);
    this.#bytes = new Uint8Array(bytes.buffer, stringsAt, start + length - stringsAt);
    this.#buffer = Buffer.from(bytes.buffer, stringsAt, start + length - stringsAt);
    this.#base = 0;
  }

  /** Copies the bound frame out of ring memory (the ring may then reuse it). */
  detach(bytes: Uint8Array, offset: number, length: number): void {
    const copy = new Uint8Array(new ArrayBuffer(length));
    copy.set(bytes.subarray(offset, offset + length));
    this.bind(copy, 0, length);
  }

  /** The string at position `index` of the frame's strings, interned when short and ASCII. */
  string(index: number): string {
    const start = index === 0 ? 0 : this.#ends[index - 1]!;
    const end = this.#ends[index]!;
    const length = end - start;
    if (length > INTERN_MAX_BYTES) return this.#buffer.toString('utf8', start, end);
    const bytes = this.#bytes;
    let hash = 0x811c9dc5;
    for (let i = start; i < end; i++) {
      const byte = bytes[i]!;
      if (byte >= 0x80) return this.#buffer.toString('utf8', start, end);
      hash = Math.imul(hash ^ byte, 0x01000193);
    }
    const slot = (hash >>> 0) & (INTERN_SLOTS - 1);
    const candidate = this.#interned[slot];
    if (candidate !== undefined && candidate.length === length) {
      let same = true;
      for (let i = 0; i < length; i++) {
        if (candidate.charCodeAt(i) !== bytes[start + i]) {
          same = false;
          break;
        }
      }
      if (same) return candidate;
    }
    const decoded = this.#buffer.toString('latin1', start, end);
    this.#interned[slot] = decoded;
    return decoded;
  }

  /** Number column `column`, record `index`. */
  number(column: number, index: number): number {
    return this.#numbers[column * this.#count + index]!;
  }

  #compileBuilder(): RecordBuilder {
    const layout = this.#layout;
    if (layout.kind === 'string') return (index) => this.string(index);
    const strings = this.#strings;
    const parts: string[] = [];
    for (const field of layout.fields) {
      const name = JSON.stringify(field.name);
      const numberColumn = layout.numberFields.indexOf(field);
      if (numberColumn >= 0) {
        parts.push(field.type === 'boolean' ? `${name}: reader.number(${numberColumn}, index) !== 0` : `${name}: reader.number(${numberColumn}, index)`);
      } else {
        parts.push(`${name}: reader.string(index * ${strings} + ${layout.stringFields.indexOf(field)})`);
      }
    }
    const factory = new Function('reader', `return function buildRecord(index) { return { ${parts.join(', ')} }; };`);
    return factory(this) as RecordBuilder;
  }
}
