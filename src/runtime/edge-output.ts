import type { Collector } from '../api/context.js';
import { assertNever } from '../errors/sluice-error.js';
import type { ResolvedPartitioning } from '../plan/job-plan.js';
import { keyGroupOf, subtaskForKeyGroup } from '../state/key-groups.js';
import type { ChannelOutput } from './channel-output.js';
import type { KeyExtractor } from './record-key.js';
import type { RecordContext } from './record-context.js';

/**
 * Routes the records of one output edge to its channels by the edge's partitioning. Each
 * partitioning is its own class, chosen once by {@link createEdgeOutput}, so the per-record
 * path has no dispatch on the partitioning type.
 */
export abstract class EdgeOutput implements Collector<unknown> {
  readonly channels: readonly ChannelOutput[];
  protected readonly context: RecordContext;

  constructor(channels: readonly ChannelOutput[], context: RecordContext) {
    this.channels = channels;
    this.context = context;
  }

  abstract collect(record: unknown): void;
}

/** Creates the output of an edge with `partitioning` over `channels` (in consumer order). */
export function createEdgeOutput(
  channels: readonly ChannelOutput[],
  partitioning: ResolvedPartitioning,
  key: KeyExtractor | undefined,
  context: RecordContext,
  maxParallelism: number,
  subtaskIndex: number,
): EdgeOutput {
  switch (partitioning.type) {
    case 'forward':
      return new ForwardOutput(channels, context);
    case 'rebalance':
      return new RebalanceOutput(channels, context, subtaskIndex);
    case 'broadcast':
      return new BroadcastOutput(channels, context);
    case 'hash':
      if (!key) throw new Error('a hash-partitioned edge needs a key extractor');
      return new HashOutput(channels, context, key, maxParallelism);
    default:
      return assertNever(partitioning);
  }
}

class ForwardOutput extends EdgeOutput {
  readonly #channel: ChannelOutput;

  constructor(channels: readonly ChannelOutput[], context: RecordContext) {
    super(channels, context);
    this.#channel = channels[0]!;
  }

  collect(record: unknown): void {
    this.#channel.collect(record, this.context.ingestNanos, -1, this.context.eventTime);
  }
}

class RebalanceOutput extends EdgeOutput {
  #next: number;

  constructor(channels: readonly ChannelOutput[], context: RecordContext, subtaskIndex: number) {
    super(channels, context);
    // Start each producer's round robin at a different consumer, so they do not move in step.
    this.#next = subtaskIndex % channels.length;
  }

  collect(record: unknown): void {
    const index = this.#next;
    this.#next = index + 1 === this.channels.length ? 0 : index + 1;
    this.channels[index]!.collect(record, this.context.ingestNanos, -1, this.context.eventTime);
  }
}

class BroadcastOutput extends EdgeOutput {
  collect(record: unknown): void {
    const ts = this.context.ingestNanos;
    const eventTime = this.context.eventTime;
    for (const channel of this.channels) channel.collect(record, ts, -1, eventTime);
  }
}

class HashOutput extends EdgeOutput {
  readonly #key: KeyExtractor;
  readonly #maxParallelism: number;
  /** The channel of each key group: the consumer subtask that owns it. */
  readonly #channelOfKeyGroup: readonly ChannelOutput[];

  constructor(channels: readonly ChannelOutput[], context: RecordContext, key: KeyExtractor, maxParallelism: number) {
    super(channels, context);
    this.#key = key;
    this.#maxParallelism = maxParallelism;
    this.#channelOfKeyGroup = Array.from(
      { length: maxParallelism },
      (_, keyGroup) => channels[subtaskForKeyGroup(keyGroup, channels.length, maxParallelism)]!,
    );
  }

  collect(record: unknown): void {
    const keyGroup = keyGroupOf(this.#key(record), this.#maxParallelism);
    // The key group travels with the record: the keyed operator downstream does not hash again.
    this.#channelOfKeyGroup[keyGroup]!.collect(record, this.context.ingestNanos, keyGroup, this.context.eventTime);
  }
}
