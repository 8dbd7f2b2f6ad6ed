/**
 * Where restored input channel state is replayed. The rule: a subtask replays all restored
 * in-flight data of an input edge, channel after channel in input order, before it reads any
 * ring of that edge. The data goes to the edge's first channel (its leader); the others wait
 * for the leader's replay to end ({@link CheckpointInput.waitsFor}).
 *
 * Why: after a restore at another parallelism the data of one old channel is re-routed to a
 * new consumer as one stream per edge (see checkpoint/rescale.ts); reading a ring first could
 * let a record a producer sent after the checkpoint overtake, for its key, one sent before it.
 * Keeping the rule at every restore keeps it true across restores: a snapshot taken while the
 * leader still replays stores the rest of the replay as the leader's channel state, ahead of
 * the ring data of the other channels, and the next restore replays it first again.
 */
import { FrameParser } from '../../native-free-buffers/index.js';
import type { ChannelStateSnapshot } from './deployment.js';
import type { InputChannel as CheckpointInput } from './input-channel.js';

/** Queues restored input channel state on the inputs of a subtask (see the file comment). */
export function assignInputReplays(inputs: readonly CheckpointInput[], saved: ChannelStateSnapshot['inputs']): void {
  for (const entry of saved) {
    if (!inputs.some((input) => input.edgeId === entry.edgeId && input.peerSubtask === entry.peerSubtask)) {
      throw new Error(`restored channel state names an input (edge ${entry.edgeId}, subtask ${entry.peerSubtask}) this subtask does not have`);
    }
  }
  const edges = new Set(saved.map((entry) => entry.edgeId));
  for (const edgeId of edges) {
    const channels = inputs.filter((input) => input.edgeId === edgeId);
    const parts: Uint8Array[] = [];
    for (const channel of channels) {
      for (const entry of saved) if (entry.edgeId === edgeId && entry.peerSubtask === channel.peerSubtask && entry.bytes.byteLength > 0) parts.push(entry.bytes);
    }
    if (parts.length === 0) continue;
    const leader = channels[0]!;
    leader.replay = new FrameParser(concat(parts));
    for (const channel of channels.slice(1)) channel.waitsFor = leader;
  }
}

/** One buffer holding `parts` in order; frames stay 8-byte aligned (frame sizes are multiples of 8). */
function concat(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1 && parts[0]!.byteOffset % 8 === 0) return parts[0]!;
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.byteLength, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}
