import { ChannelOutput } from './channel-output.js';
import type { ChannelStateSnapshot, SubtaskDeployment } from './deployment.js';

/** An output channel as checkpointing sees it. */
export interface CheckpointOutput {
  readonly channel: ChannelOutput;
  readonly edgeId: number;
  readonly consumer: number;
}

/** An output channel's frames held back by backpressure when a barrier was emitted unaligned. */
export type OutputState = ChannelStateSnapshot['outputs'][number];

/**
 * The output side of a subtask: owns its channel outputs, edge by edge, and does to all of
 * them at once what the subtask loop and the checkpointer ask (drain, flush, end, barriers).
 */
export class OutputGate {
  /** Every channel output, in edge order. */
  readonly channels: ChannelOutput[] = [];
  /** Every channel output with the edge and consumer subtask it feeds. */
  readonly outputs: CheckpointOutput[] = [];

  /** Adds the channel outputs of one output edge of the deployment; returns them in consumer order. */
  addEdge(output: SubtaskDeployment['outputs'][number]): ChannelOutput[] {
    // Hash edges carry each record's key group in their batches (the keyed consumer does not hash again).
    const withKeyGroups = output.partitioning.type === 'hash';
    const channels = output.channels.map(
      (channel) => new ChannelOutput(channel.ring, channel.peerDoorbell, output.shape, withKeyGroups, output.eventTime === true),
    );
    this.channels.push(...channels);
    output.channels.forEach((endpoint, index) => {
      this.outputs.push({ channel: channels[index]!, edgeId: output.edgeId, consumer: endpoint.peerSubtask });
    });
    return channels;
  }

  /** The output of `edgeId` feeding subtask `consumer`, if this subtask has it. */
  find(edgeId: number, consumer: number): CheckpointOutput | undefined {
    return this.outputs.find((candidate) => candidate.edgeId === edgeId && candidate.consumer === consumer);
  }

  /** True when some channel holds frames its ring had no room for. */
  backpressured(): boolean {
    for (const channel of this.channels) if (channel.backpressured) return true;
    return false;
  }

  /** Writes pending frames where there is room now; true when any channel drained some. */
  drainPending(): boolean {
    let drained = false;
    for (const channel of this.channels) {
      if (channel.backpressured && channel.drainPending()) drained = true;
    }
    return drained;
  }

  /** Publishes what every channel has batched. */
  flush(): void {
    for (const channel of this.channels) channel.flush();
  }

  /** Sends a watermark (NaN: idle) on every channel: watermarks are broadcast, whatever the partitioning. */
  emitWatermark(watermark: number): void {
    for (const channel of this.channels) channel.emitWatermark(watermark);
  }

  /** Ends every channel (end of partition). */
  end(): void {
    for (const channel of this.channels) channel.end();
  }

  /**
   * Emits barrier `checkpointId` on every output; for an unaligned barrier, returns the frames
   * each output held back (its output channel state), for the outputs that held any.
   */
  emitBarrier(checkpointId: number, unaligned: boolean): OutputState[] {
    const held: OutputState[] = [];
    for (const output of this.outputs) {
      const frames = output.channel.emitBarrier(checkpointId, unaligned);
      if (frames.length > 0) held.push({ edgeId: output.edgeId, consumer: output.consumer, frames });
    }
    return held;
  }
}
