/**
 * What `keyBy` accepts as a field key for records of type `T`: a field name of object
 * records, an index of array records (for tuples only the indexes they have). Records of
 * unknown type accept any field name or index (checked at run time); records that are
 * neither objects nor arrays (strings, numbers) have no field: key them with a key selector.
 */
export type KeyField<T> = unknown extends T
  ? string | number
  : T extends readonly unknown[]
    ? number extends T['length']
      ? number
      : TupleIndex<T>
    : T extends object
      ? Extract<keyof T, string>
      : never;

/** The indexes of a tuple type, as number literals: `[a, b, c]` gives `0 | 1 | 2`. */
export type TupleIndex<T extends readonly unknown[]> = {
  [K in keyof T]-?: K extends `${infer N extends number}` ? N : never;
}[number];
