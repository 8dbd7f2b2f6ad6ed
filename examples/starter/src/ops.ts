/**
 * The job's operators. Functions cannot cross threads: each is defined with a `define*`
 * helper and exported, so that every worker thread finds it again in this module.
 */
import { defineMap, defineReduce } from 'sluice';
import type { ObjectGeneratorRecord, OperatorContext } from 'sluice';

/** Records per key and the sum of their values, so far. */
export interface Total {
  readonly key: string;
  readonly count: number;
  readonly sum: number;
}

/** Options of {@link describe}, given where the operator is added: `{ options: { unit } }`. */
export interface DescribeOptions {
  readonly unit: string;
}

/** One record becomes a total of one. */
export const toTotal = defineMap(import.meta, (record: ObjectGeneratorRecord): Total => ({
  key: record.key,
  count: 1,
  sum: record.value,
}));

/** Adds two totals of the same key. */
export const addUp = defineReduce(import.meta, (a: Total, b: Total): Total => ({
  key: a.key,
  count: a.count + b.count,
  sum: a.sum + b.sum,
}));

/** A line of text per total, in the unit the options name. */
export const describe = defineMap(
  import.meta,
  (total: Total, ctx: OperatorContext<DescribeOptions>) => `${total.key} ${total.count} ${total.sum} ${ctx.options.unit}`,
);
