import type { Collector } from '../api/context.js';
import type { ResolvedPartitioning } from '../plan/job-plan.js';
import { keyGroupOf, subtaskForKeyGroup } from '../state/key-groups.js';
import type { ChannelOutput } from './channel-output.js';
import type { KeyExtractor } from './record-key.js';
import type { RecordContext } from './record-context.js';

/** Routes the records of one output edge to its channels by the edge's partitioning. */
export class EdgeOutput implements Collector<unknown> {
  readonly channels: readonly ChannelOutput[];
  readonly #partitioning: ResolvedPartitioning;
  readonly #key: KeyExtractor | undefined;
  readonly #context: RecordContext;
  readonly #maxParallelism: number;
  #next = 0;

  constructor(
    channels: readonly ChannelOutput[],
    partitioning: ResolvedPartitioning,
    key: KeyExtractor | undefined,
    context: RecordContext,
    maxParallelism: number,
    subtaskIndex: number,
  ) {
    this.channels = channels;
    this.#partitioning = partitioning;
    this.#key = key;
    this.#context = context;
    this.#maxParallelism = maxParallelism;
    // Start each producer's round robin at a different consumer, so they do not move in step.
    this.#next = subtaskIndex % channels.length;
  }

  collect(record: unknown): void {
    const ts = this.#context.ingestNanos;
    const channels = this.channels;
    switch (this.#partitioning.type) {
      case 'forward':
        channels[0]!.collect(record, ts);
        return;
      case 'rebalance': {
        const index = this.#next;
        this.#next = index + 1 === channels.length ? 0 : index + 1;
        channels[index]!.collect(record, ts);
        return;
      }
      case 'broadcast':
        for (const channel of channels) channel.collect(record, ts);
        return;
      case 'hash': {
        const keyGroup = keyGroupOf(this.#key!(record), this.#maxParallelism);
        channels[subtaskForKeyGroup(keyGroup, channels.length, this.#maxParallelism)]!.collect(record, ts);
        return;
      }
    }
  }
}
