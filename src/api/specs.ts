import type { FunctionDefinition } from './functions.js';

/**
 * How records of a stream travel between subtasks. `object`: any plain value, serialized
 * with msgpackr. `numeric`: fixed-arity arrays of numbers, on a fixed-layout fast path
 * (float64 each, no per-record encoding work). `schema`: objects with declared fields, encoded
 * column by column by a codec compiled for the schema (see {@link recordSchema}). `string`:
 * each record is a string (UTF-8, decoded strings interned).
 */
export type RecordShape =
  | { readonly kind: 'object' }
  | { readonly kind: 'numeric'; readonly arity: number }
  | { readonly kind: 'string' }
  | { readonly kind: 'schema'; readonly fields: readonly SchemaField[] };

/** A field of a record schema: numbers travel as float64, strings as UTF-8, booleans as one number. */
export type FieldType = 'number' | 'string' | 'boolean';

/** One declared field of a {@link recordSchema}. */
export interface SchemaField {
  readonly name: string;
  readonly type: FieldType;
}

/** Records are plain values, serialized with msgpackr. The default. */
export const OBJECT_RECORDS: RecordShape = Object.freeze({ kind: 'object' });

/** Records are arrays of `arity` numbers, on the fixed-layout fast path. */
export function numericRecords(arity: number): RecordShape {
  if (!Number.isInteger(arity) || arity < 1 || arity > 1024) {
    throw new TypeError(`numeric record arity must be an integer from 1 to 1024, got ${String(arity)}`);
  }
  return Object.freeze({ kind: 'numeric', arity });
}

/** Records are strings: UTF-8 in the ring, and equal strings decode to one interned string. */
export const STRING_RECORDS: RecordShape = Object.freeze({ kind: 'string' });

const FIELD_TYPES: readonly FieldType[] = ['number', 'string', 'boolean'];
const FIELD_NAME = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * Records are objects with exactly these fields, e.g. `recordSchema({ seq: 'number', key:
 * 'string', value: 'number' })`. Their batches are written column by column (numbers as
 * float64, strings as UTF-8) by a codec compiled for the schema, with no msgpackr and no
 * per-record encoding of field names; decoded objects all share one hidden class. A record
 * whose field has another type fails its operator with the field's name.
 */
export function recordSchema(fields: Readonly<Record<string, FieldType>>): RecordShape {
  if (fields === null || typeof fields !== 'object') throw new TypeError('recordSchema(fields): fields must be an object of field name to type');
  const entries = Object.entries(fields);
  if (entries.length === 0) throw new TypeError('recordSchema(fields): a schema needs at least one field');
  if (entries.length > 256) throw new TypeError(`recordSchema(fields): at most 256 fields, got ${entries.length}`);
  for (const [name, type] of entries) {
    if (!FIELD_NAME.test(name)) throw new TypeError(`recordSchema(fields): field name ${JSON.stringify(name)} must be an identifier (letters, digits, _ and $)`);
    if (!FIELD_TYPES.includes(type)) {
      throw new TypeError(`recordSchema(fields): field '${name}' has type ${JSON.stringify(type)}; use one of ${FIELD_TYPES.map((t) => `'${t}'`).join(', ')}`);
    }
  }
  return Object.freeze({ kind: 'schema', fields: Object.freeze(entries.map(([name, type]) => Object.freeze({ name, type }))) });
}

/** A short description of a shape, for messages: `object`, `numeric(3)`, `string`, `schema{seq:number,…}`. */
export function describeShape(shape: RecordShape): string {
  switch (shape.kind) {
    case 'numeric':
      return `numeric(${shape.arity})`;
    case 'schema':
      return `schema{${shape.fields.map((field) => `${field.name}:${field.type}`).join(',')}}`;
    default:
      return shape.kind;
  }
}

/** A source ready to be added to a pipeline: its factory, its options and a default name. */
export interface SourceSpec<T = unknown> {
  readonly fn: FunctionDefinition<'source'>;
  readonly options: unknown;
  /** Default operator name, e.g. 'generator'. */
  readonly name: string;
  /** Shape of the records it emits. */
  readonly shape: RecordShape;
  /**
   * The parallelism the source runs at unless the operator's options set one (a source reading
   * one iterable of the main thread runs at 1). Default: the pipeline's.
   */
  readonly parallelism?: number;
  /** Phantom member carrying the record type (never set): `source(spec)` returns a `DataStream<T>`. */
  readonly __record?: T;
}

/** A sink ready to be added to a pipeline. */
export interface SinkSpec<T = unknown> {
  readonly fn: FunctionDefinition<'sink'>;
  readonly options: unknown;
  /** Default operator name, e.g. 'file-sink'. */
  readonly name: string;
  /**
   * Phantom member carrying the record type the sink accepts (never set). A function
   * parameter, so a sink of `unknown` records accepts a stream of any type, while a sink of
   * `string` records rejects a stream of numbers.
   */
  readonly __accepts?: (record: T) => void;
}
