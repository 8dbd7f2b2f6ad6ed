/** Functions the type fixtures use: a module as a user would write it. */
import {
  defineAggregate,
  defineIterableSource,
  defineKeySelector,
  defineMap,
  defineProcess,
  defineReduce,
  defineSink,
  defineSource,
  defineTimestampAssigner,
  defineWindowFunction,
} from '../../../src/index.js';
import type { Collector, OperatorContext, SinkFunction, SourceFunction } from '../../../src/index.js';

export interface Event {
  readonly user: string;
  readonly amount: number;
}

export interface Total {
  readonly user: string;
  readonly total: number;
}

export const lengthOf = defineMap(import.meta, (line: string) => line.length);
export const toPair = defineMap(import.meta, (line: string): [string, number] => [line, 1]);
export const digits = defineMap(import.meta, (values: number[]) => values.map((v) => v % 10));
export const scaled = defineMap(import.meta, (value: number, ctx: OperatorContext<{ factor: number }>) => value * ctx.options.factor);
export const byUser = defineKeySelector(import.meta, (event: Event) => event.user);
export const byLine = defineKeySelector(import.meta, (line: string) => line);
export const sumNumbers = defineReduce(import.meta, (a: number, b: number) => a + b);
export const concat = defineReduce(import.meta, (a: string, b: string) => a + b);
export const totals = defineProcess(import.meta, {
  processElement(event: Event, ctx, out: Collector<Total>) {
    const state = ctx.valueState<number>('total');
    const total = (state.value() ?? 0) + event.amount;
    state.update(total);
    out.collect({ user: event.user, total });
  },
});
export const perLine = defineProcess(import.meta, {
  processElement(line: string, _ctx, out: Collector<number>) {
    out.collect(line.length);
  },
});

/** A source defined by hand: numbers from 0 below `options.upTo`. */
export const counter = defineSource(import.meta, (options: { upTo: number }): SourceFunction<number, number> => {
  let next = 0;
  return {
    open(_ctx, restored) {
      next = restored ?? 0;
    },
    poll(out, budget) {
      for (let i = 0; i < budget && next < options.upTo; i++) out.collect(next++);
      return next < options.upTo ? 'more' : 'end';
    },
    position: () => next,
  };
});
/** A sink defined by hand: prints numbers with a prefix. */
export const printer = defineSink(import.meta, (options: { prefix: string }): SinkFunction<number> => ({
  write(value) {
    console.log(options.prefix + value);
  },
}));
/** A source from an iterable made in the worker. */
export const words = defineIterableSource(import.meta, (options: { text: string }) => options.text.split(' '));

// Event time.
export const eventAmountTime = defineTimestampAssigner(import.meta, (event: Event) => event.amount);
export const lineTime = defineTimestampAssigner(import.meta, (line: string) => line.length);
export const sumAmounts = defineAggregate(import.meta, {
  createAccumulator: () => 0,
  add: (acc: number, event: Event) => acc + event.amount,
  getResult: (acc: number) => acc,
  merge: (a: number, b: number) => a + b,
});
export const describeWindow = defineWindowFunction(import.meta, (key, window, total: number) => [`${key}@${window.start}: ${total}`]);
export const countEvents = defineWindowFunction(import.meta, (key, _window, events: Event[]): Total[] => [{ user: String(key), total: events.length }]);
export const withTimer = defineProcess(import.meta, {
  processElement(event: Event, ctx, _out: Collector<string>) {
    ctx.timers.registerEventTime(ctx.timestamp + 1000);
    void event;
  },
  onTimer(timestamp, ctx, out) {
    out.collect(`${ctx.currentKey} ${ctx.timeDomain} ${timestamp}`);
  },
});
