import type { MessagePort } from 'node:worker_threads';
import { BarrierHandlerDriver } from '../checkpoint/barrier-driver.js';
import type { BarrierHandlerActions } from '../checkpoint/barrier-handler.js';
import { ANNOUNCE_UNALIGNED } from '../checkpoint/checkpoint-mode.js';
import type { ChannelOutput } from './channel-output.js';
import type {
  ChannelStateSnapshot,
  SubtaskCheckpointStats,
  SubtaskCheckpointing,
  SubtaskMessage,
  SubtaskSnapshot,
} from './deployment.js';
import type { FaultInjector } from './fault-injector.js';
import type { OperatorChain } from './operator-chain.js';
import { packState } from './operator-chain.js';
import type { Checkpointer } from './checkpointer.js';
import { ChannelStateRecorder } from './channel-state-recorder.js';
import type { CheckpointOutput, OutputGate } from './output-gate.js';
import type { InputChannel as CheckpointInput } from './input-channel.js';
import { nowNanos } from './record-context.js';
import { requestEventLoopTurn } from './event-loop-turn.js';

export type { InputChannel as CheckpointInput } from './input-channel.js';
export type { CheckpointOutput } from './output-gate.js';

/** The checkpoint this subtask is taking. */
interface InProgress {
  readonly id: number;
  readonly unaligned: boolean;
  readonly snapshot: Promise<SubtaskSnapshot>;
  readonly recordings: Map<number, ChannelStateRecorder>;
  readonly outputs: Array<ChannelStateSnapshot['outputs'][number]>;
  forwarded: boolean;
  readonly startDelayMs: number;
  readonly alignmentDurationMs: number;
  readonly syncDurationMs: number;
  readonly processedInFlightBytes: number;
  readonly inputChannels: NonNullable<SubtaskCheckpointStats['inputChannels']>;
}

const NANOS_PER_MS = 1e6;

/**
 * The checkpoint side of a subtask: feeds barrier events to the barrier handler, carries out
 * its actions (block, snapshot, record channel state by the position rule, forward), and
 * acknowledges to the job manager once its part of a checkpoint is complete.
 */
export class SubtaskCheckpointer implements BarrierHandlerActions, Checkpointer {
  readonly #settings: SubtaskCheckpointing;
  readonly #inputs: readonly CheckpointInput[];
  readonly #outputs: OutputGate;
  readonly #chain: OperatorChain;
  readonly #port: MessagePort;
  readonly #faults: FaultInjector;
  readonly #barriers: BarrierHandlerDriver;
  /** Trigger times (hrtime nanoseconds) of recent checkpoints, from the job manager. */
  readonly #triggers = new Map<number, number>();
  #current: InProgress | undefined;
  /** Aligned-with-timeout: when the alignment of `id` times out (performance.now() ms). */
  #deadline: { id: number; atMs: number } | undefined;
  /** First barrier of the checkpoint being aligned, and bytes read since. */
  #firstBarrierNanos: number | undefined;
  #processedBytes = 0;
  /** The newest checkpoint this subtask has snapshotted (or abandoned). */
  #snapshotted = 0;
  /** Acknowledgements still being packed (sink pre-commits may be asynchronous). */
  #acknowledging: Promise<void> = Promise.resolve();
  /** An error of the asynchronous part of an acknowledgement: the subtask fails at its next tick. */
  #failure: { error: unknown } | undefined;
  readonly #wake: () => void;

  constructor(
    settings: SubtaskCheckpointing,
    inputs: readonly CheckpointInput[],
    outputs: OutputGate,
    chain: OperatorChain,
    port: MessagePort,
    faults: FaultInjector,
    wake: () => void,
  ) {
    this.#wake = wake;
    this.#settings = settings;
    this.#inputs = inputs;
    this.#outputs = outputs;
    this.#chain = chain;
    this.#port = port;
    this.#faults = faults;
    this.#barriers = new BarrierHandlerDriver(inputs.length, settings.mode, this);
  }

  /** The name of the barrier handler's state (for tests and diagnostics). */
  get stateName(): string {
    return this.#barriers.state.name;
  }

  /** Whether an alignment is in progress (bytes read now count as processed in-flight data). */
  get aligning(): boolean {
    return this.#firstBarrierNanos !== undefined;
  }

  // ---- events from the subtask loop ------------------------------------------------------

  /** The job manager triggered `checkpointId`. */
  onTriggered(checkpointId: number, triggerNanos: number): void {
    this.#triggers.set(checkpointId, triggerNanos);
    for (const id of this.#triggers.keys()) if (id < checkpointId - 16) this.#triggers.delete(id);
  }

  /** A source subtask takes checkpoint `checkpointId` now and sends its barrier downstream. */
  triggerSource(checkpointId: number): void {
    const unaligned = this.#settings.mode === 'unaligned';
    this.#barriers.sourceCheckpoint(checkpointId);
    // A source's barrier starts when it takes the trigger: its start delay is the trigger's way here.
    this.#firstBarrierNanos = nowNanos();
    this.takeSnapshot(checkpointId, unaligned);
    this.forwardBarrier(checkpointId, unaligned);
  }

  triggerAfterInputEnded(checkpointId: number): void {
    if (checkpointId <= this.#snapshotted) return;
    this.triggerSource(checkpointId);
  }

  /**
   * Takes the announcements waiting on `input`'s priority lane. The write position is loaded
   * first and becomes the read limit of this step: data up to it cannot be past a barrier
   * whose announcement was not seen (the producer announces before it publishes).
   */
  pollAnnouncements(input: CheckpointInput): void {
    const reader = input.reader;
    const limit = reader.writePosition();
    while (reader.pollPriority()) {
      this.#noteBarrier(reader.priorityId);
      this.#barriers.announcementReceived(
        input.index,
        reader.priorityId,
        reader.priorityPosition,
        reader.priorityKind === ANNOUNCE_UNALIGNED,
      );
    }
    reader.setReadLimit(limit);
  }

  /** True when an announcement waits on some input's priority lane. */
  announcementWaiting(): boolean {
    for (const input of this.#inputs) if (input.reader.hasPriority()) return true;
    return false;
  }

  /** An in-band barrier frame was read from `input`. */
  onBarrier(input: CheckpointInput, checkpointId: number): void {
    this.#noteBarrier(checkpointId);
    this.#barriers.barrierReceived(input.index, checkpointId);
  }

  /** `input` reached end of partition. */
  onEndOfPartition(input: CheckpointInput): void {
    input.finished = true;
    this.#barriers.endOfPartition(input.index);
  }

  /** Bytes of input read; counted as processed in-flight data while aligning. */
  countProcessed(bytes: number): void {
    if (this.#firstBarrierNanos !== undefined) this.#processedBytes += bytes;
  }

  /**
   * Fires a due alignment timeout, copies channel state that has become available, and
   * returns the milliseconds until the next deadline (Infinity when none), for the park.
   */
  tick(): number {
    if (this.#failure) throw this.#failure.error;
    let wait = Infinity;
    const deadline = this.#deadline;
    if (deadline) {
      const remaining = deadline.atMs - performance.now();
      if (remaining <= 0) {
        this.#deadline = undefined;
        this.#barriers.alignmentTimeout(deadline.id);
      } else {
        wait = remaining;
      }
    }
    this.#captureChannelState();
    return wait;
  }

  /** The job manager committed `checkpointId`: sinks commit its transactions. */
  async onComplete(checkpointId: number): Promise<void> {
    await this.#acknowledging;
    await this.#chain.notifyCheckpointComplete(checkpointId);
  }

  /** The job manager aborted `checkpointId`. */
  onAborted(checkpointId: number): void {
    this.#barriers.abort(checkpointId);
    if (this.#current?.id === checkpointId) this.#drop();
    if (this.#deadline?.id === checkpointId) this.#deadline = undefined;
  }

  // ---- actions of the barrier handler ----------------------------------------------------

  blockChannel(channel: number): void {
    this.#inputs[channel]!.blocked = true;
  }

  unblockChannels(): void {
    for (const input of this.#inputs) input.blocked = false;
  }

  takeSnapshot(checkpointId: number, unaligned: boolean): void {
    this.#faults.atCheckpoint('before-snapshot', checkpointId);
    if (this.#current) this.#drop();
    const started = nowNanos();
    const trigger = this.#triggers.get(checkpointId) ?? this.#firstBarrierNanos ?? started;
    const firstBarrier = this.#firstBarrierNanos ?? started;
    // At least once, barriers do not block: a subtask's watermark may include watermarks that
    // followed a barrier on a faster input, ahead of records a restore replays. Only a source's
    // watermark matches its position; other subtasks restart from no watermark.
    const withWatermark = this.#settings.mode !== 'at-least-once' || this.#chain.source !== undefined;
    const snapshot = this.#chain.snapshotState(checkpointId, withWatermark);
    const recordings = new Map<number, ChannelStateRecorder>();
    if (unaligned) {
      for (const input of this.#inputs) {
        // A blocked channel stopped right after its barrier, a finished one has nothing left:
        // neither has in-flight data for this checkpoint.
        if (input.blocked || input.finished) continue;
        recordings.set(input.index, new ChannelStateRecorder(input));
      }
    }
    const syncEnd = nowNanos();
    this.#current = {
      id: checkpointId,
      unaligned,
      snapshot,
      recordings,
      outputs: [],
      forwarded: false,
      startDelayMs: Math.max(0, (firstBarrier - trigger) / NANOS_PER_MS),
      alignmentDurationMs: Math.max(0, (started - firstBarrier) / NANOS_PER_MS),
      syncDurationMs: (syncEnd - started) / NANOS_PER_MS,
      processedInFlightBytes: this.#processedBytes,
      inputChannels: this.#inputs.map((input) => ({
        from: input.from,
        subtask: input.peerSubtask,
        inFlightBytes: input.finished ? 0 : input.reader.inFlightBytes,
        limitBytes: input.reader.inFlightLimit,
      })),
    };
    this.#firstBarrierNanos = undefined;
    this.#processedBytes = 0;
    this.#snapshotted = Math.max(this.#snapshotted, checkpointId);
    this.#deadline = undefined;
    this.#faults.atCheckpoint('after-snapshot', checkpointId);
  }

  channelStateEndsAt(channel: number, position: number | 'end'): void {
    this.#current?.recordings.get(channel)?.endsAt(position);
  }

  forwardBarrier(checkpointId: number, unaligned: boolean): void {
    const current = this.#current;
    const held = this.#outputs.emitBarrier(checkpointId, unaligned);
    if (current?.id === checkpointId) current.outputs.push(...held);
    if (current?.id === checkpointId) {
      current.forwarded = true;
      this.#captureChannelState();
    }
  }

  startAlignmentTimer(checkpointId: number): void {
    const trigger = this.#triggers.get(checkpointId) ?? nowNanos();
    const elapsedMs = (nowNanos() - trigger) / NANOS_PER_MS;
    this.#deadline = { id: checkpointId, atMs: performance.now() + this.#settings.alignmentTimeoutMs - elapsedMs };
  }

  abortCheckpoint(checkpointId: number, reason: string): void {
    if (this.#current?.id === checkpointId) this.#drop();
    this.#snapshotted = Math.max(this.#snapshotted, checkpointId);
    this.#firstBarrierNanos = undefined;
    this.#processedBytes = 0;
    const message: SubtaskMessage = { type: 'decline', checkpointId, reason };
    this.#port.postMessage(message);
  }

  // ---- internals ---------------------------------------------------------------------------

  /** The first barrier (or announcement) of a checkpoint not yet snapshotted starts its alignment. */
  #noteBarrier(checkpointId: number): void {
    if (checkpointId > this.#snapshotted) this.#firstBarrierNanos ??= nowNanos();
  }

  /** Drops the checkpoint in progress: its recordings end and held bytes are released. */
  #drop(): void {
    const current = this.#current;
    if (!current) return;
    for (const recording of current.recordings.values()) recording.drop();
    this.#current = undefined;
  }

  /**
   * Has each channel-state recorder copy its in-flight data `[S_c, P_c)` once `P_c` is known
   * and published (the bytes are still there: release is held at `S_c`), then acknowledges
   * when every channel is done.
   */
  #captureChannelState(): void {
    const current = this.#current;
    if (!current || !current.forwarded) return;
    let complete = true;
    for (const recording of current.recordings.values()) {
      if (!recording.capture(current.id)) complete = false;
    }
    if (complete) this.#acknowledge(current);
  }

  #acknowledge(current: InProgress): void {
    this.#current = undefined;
    const inputs: Array<ChannelStateSnapshot['inputs'][number]> = [];
    let persisted = 0;
    for (const [index, recording] of current.recordings) {
      const input = this.#inputs[index]!;
      if (recording.bytes!.byteLength === 0) continue;
      persisted += recording.bytes!.byteLength;
      inputs.push({ edgeId: input.edgeId, peerSubtask: input.peerSubtask, bytes: recording.bytes! });
    }
    for (const output of current.outputs) for (const frame of output.frames) persisted += frame.bytes.byteLength;
    const stats: SubtaskCheckpointStats = {
      startDelayMs: current.startDelayMs,
      alignmentDurationMs: current.alignmentDurationMs,
      syncDurationMs: current.syncDurationMs,
      processedInFlightBytes: current.processedInFlightBytes,
      persistedInFlightBytes: persisted,
      unaligned: current.unaligned,
      inputChannels: current.inputChannels,
    };
    const channels = inputs.length + current.outputs.length > 0 ? packState({ inputs, outputs: current.outputs }) : undefined;
    this.#acknowledging = this.#acknowledging.then(async () => {
      const state = packState(await current.snapshot);
      const message: SubtaskMessage = { type: 'acknowledge', checkpointId: current.id, state, channels, stats };
      this.#port.postMessage(message, channels ? [state.buffer as ArrayBuffer, channels.buffer as ArrayBuffer] : [state.buffer as ArrayBuffer]);
      this.#faults.atCheckpoint('after-ack', current.id);
    }).catch((error: unknown) => {
      this.#failure ??= { error };
      this.#wake();
    });
    // The message is posted from a promise continuation: have the slot run it now, not at its next regular yield.
    requestEventLoopTurn();
  }

  /** Waits for acknowledgements in flight (before the subtask ends); throws what failed in them. */
  async settled(): Promise<void> {
    await this.#acknowledging;
    if (this.#failure) throw this.#failure.error;
  }
}
