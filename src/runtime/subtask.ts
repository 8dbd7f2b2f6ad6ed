import { Unpackr } from 'msgpackr';
import { DoorbellRinger, RingReader } from '../../native-free-buffers/index.js';
import type { Collector } from '../api/context.js';
import type { SourceStatus } from '../api/functions.js';
import { assertNever } from '../errors/sluice-error.js';
import { InputDebloat, NO_DEBLOAT } from './buffer-debloater.js';
import type { ChannelStateSnapshot, ControlMessage, SubtaskDeployment, SubtaskMessage, SubtaskOutcome, SubtaskSnapshot } from './deployment.js';
import { serializeError } from './deployment.js';
import { FaultInjector } from './fault-injector.js';
import type { Checkpointer } from './checkpointer.js';
import { NO_CHECKPOINTS } from './checkpointer.js';
import { InputGate } from './input-gate.js';
import type { InputGateHost } from './input-gate.js';
import { OutputGate } from './output-gate.js';
import { SubtaskCheckpointer } from './subtask-checkpoints.js';
import type { EdgeOutput } from './edge-output.js';
import { createEdgeOutput } from './edge-output.js';
import { OperatorChain, OperatorFailure, unpackState } from './operator-chain.js';
import { BatchCursor } from './record-batch.js';
import type { RecordHandler } from './record-batch.js';
import type { RecordContext } from './record-context.js';
import { nowNanos } from './record-context.js';
import { createKeyExtractor } from './record-key.js';
import { EventTimeDriver } from './event-time-driver.js';
import type { TimerStepHost } from './event-time-driver.js';
import { TIMER_FIRINGS_PER_STEP } from './operator-chain.js';
import { assignInputReplays } from './channel-replay.js';

/** Records a source may emit per poll; the ingestion timestamp is taken once per poll. */
const SOURCE_POLL_BUDGET = 256;

/** What one {@link Subtask.step} did. */
export const enum StepResult {
  /** Nothing could be done: the subtask waits for its doorbell. */
  Idle = 0,
  /** Records, frames or control messages moved. */
  Progressed = 1,
  /** Every input ended and every output drained: call {@link Subtask.finish}. */
  Finish = 2,
  /** The job manager cancelled the subtask. */
  Cancelled = 3,
}

/**
 * One subtask: its operator chain, inputs and outputs. The thread's {@link Slot} drives it:
 * {@link start}, then {@link step} while it returns Progressed or Idle (each step runs
 * synchronously, publishes its outputs once, and returns by the deadline it is given), then
 * {@link finish}. Several subtasks of a slot share the thread and its doorbell.
 */
export class Subtask {
  readonly #deployment: SubtaskDeployment;
  readonly #control: RingReader;
  readonly #controlDecoder = new Unpackr();
  readonly #context: RecordContext = { ingestNanos: 0, keyGroup: -1, eventTime: NaN };
  /** The subtask's watermark and event-time timers (set in start). */
  #eventTime: EventTimeDriver | undefined;
  /** Pauses timer firing between steps for an announcement, a control message or a full output. */
  readonly #timerHost: TimerStepHost = { shouldPause: () => this.#interrupted() || this.#backpressured() };
  readonly #inputs = new InputGate();
  /** What the read pass needs of this subtask (see InputGateHost). */
  readonly #host: InputGateHost;
  readonly #outputs = new OutputGate();
  readonly #faults: FaultInjector;
  #checkpointer: Checkpointer = NO_CHECKPOINTS;
  /** Checkpoints triggered at this source subtask and not yet taken. */
  readonly #sourceTriggers: number[] = [];
  /**
   * The newest checkpoint triggered at this subtask that is not a source. Barriers bring it while
   * an input runs; once every input has ended (no barrier will come), the subtask takes it itself.
   */
  #pendingTrigger: number | undefined;
  /** Sinks committing completed checkpoints, one after the other. */
  #commits: Promise<void> = Promise.resolve();
  /** A commit that failed: the subtask fails at its next step. */
  #commitError: { error: unknown } | undefined;
  #chain: OperatorChain | undefined;
  readonly #wakeSelf: DoorbellRinger;
  #recordsIn = 0;
  #cancelled = false;
  #ending = false;
  /** Buffer debloating of the inputs' rings (see buffer-debloater.ts), or a do-nothing stand-in. */
  #debloat: Pick<InputDebloat, 'consumed' | 'closed' | 'update'> = NO_DEBLOAT;
  /** The restored checkpoint recorded this subtask as finished: it only ends its outputs. */
  #finishedAtRestore = false;
  #sourceStatus: SourceStatus = 'more';
  #handle: RecordHandler = () => {};
  /** Whether the chain's sink holds records its destination has not taken (a sink never blocks the thread). */
  #sinkBackpressured: () => boolean = () => false;
  /** What is being processed, for error messages: the source, or the input gate's channels. */
  #reading: 'source' | 'inputs' | undefined;
  /** Whether another subtask of the slot waits for the thread (see watchPeers). */
  #peersNeedAttention: () => boolean = () => false;

  constructor(deployment: SubtaskDeployment) {
    this.#deployment = deployment;
    this.#control = new RingReader(deployment.control);
    this.#wakeSelf = new DoorbellRinger(deployment.doorbell);
    this.#faults = new FaultInjector(
      deployment.faults,
      deployment.operators.map((operator) => operator.name),
      deployment.subtaskIndex,
      deployment.attempt,
      `'${deployment.vertexName}' subtask ${deployment.subtaskIndex}`,
    );
    const subtask = this;
    this.#host = {
      get checkpointer() {
        return subtask.#checkpointer;
      },
      get debloat() {
        return subtask.#debloat;
      },
      faults: this.#faults,
      backpressured: () => this.#backpressured(),
      interrupted: () => this.#interrupted(),
      get watermarks() {
        return subtask.#eventTime!;
      },
    };
  }

  /** Which subtask this is, for messages. */
  get description(): string {
    return `'${this.#deployment.vertexName}' subtask ${this.#deployment.subtaskIndex}`;
  }

  /**
   * Builds and opens the chain, queues restored in-flight data, and tells the job manager the
   * subtask runs. Throws what went wrong; the slot then calls {@link fail}.
   */
  async start(): Promise<void> {
    const chain = await this.#build();
    this.#chain = chain;
    const restore = this.#deployment.restore;
    if (restore?.finished) {
      // The restored checkpoint recorded this subtask as finished: its consumers received all it
      // ever emits before that checkpoint, so it runs nothing and ends its outputs (see finish()).
      this.#finishedAtRestore = true;
      this.#ending = true;
      this.#eventTime = new EventTimeDriver(chain, this.#outputs, this.#inputs.channels.length);
      const running: SubtaskMessage = { type: 'running' };
      this.#deployment.port.postMessage(running);
      return;
    }
    await chain.open(restore?.state ? unpackState<SubtaskSnapshot>(restore.state) : undefined, restore?.checkpointId);
    this.#eventTime = new EventTimeDriver(chain, this.#outputs, this.#inputs.channels.length);
    if (restore?.channels) this.#restoreChannels(unpackState<ChannelStateSnapshot>(restore.channels));
    if (this.#inputs.channels.some((input) => input.replay !== undefined)) this.#eventTime.holdForReplay();
    const checkpointing = this.#deployment.checkpointing;
    if (checkpointing) {
      this.#checkpointer = new SubtaskCheckpointer(checkpointing, this.#inputs.channels, this.#outputs, chain, this.#deployment.port, this.#faults, () =>
        this.#wakeSelf.ring(),
      );
    }
    this.#handle = this.#recordHandler(chain);
    if (chain.sink) this.#sinkBackpressured = chain.sink.backpressured;
    const rolledBack =
      chain.sink && chain.sink.rolledBack.length > 0 && restore
        ? { operator: chain.sink.name, checkpointId: restore.checkpointId, items: chain.sink.rolledBack }
        : undefined;
    const running: SubtaskMessage = { type: 'running', rolledBack };
    this.#deployment.port.postMessage(running);
  }

  /**
   * Does what can be done now without waiting, until `deadline` (performance.now() time):
   * control messages, announcements, pending output, then source records or input frames.
   * Publishes every output once at the end. Throws an operator's or the runtime's failure.
   */
  step(deadline: number): StepResult {
    const chain = this.#chain!;
    this.#debloat.update(performance.now());
    const checkpointer = this.#checkpointer;
    this.#pollControl();
    if (this.#cancelled) return StepResult.Cancelled;
    if (this.#commitError) throw this.#commitError.error;
    // Announcements are taken even under backpressure: an unaligned checkpoint must not
    // wait for the outputs to drain.
    for (const input of this.#inputs.channels) if (!input.finished) checkpointer.pollAnnouncements(input);
    if (chain.source) this.#takeSourceCheckpoints(this.#sourceStatus === 'end' || this.#ending);
    let progressed = this.#outputs.drainPending();
    if (!this.#backpressured()) {
      const eventTime = this.#eventTime!;
      const nextTimer = chain.nextProcessingTime();
      if (nextTimer !== Infinity && nextTimer <= Date.now()) {
        chain.fireProcessingTimers(Date.now(), TIMER_FIRINGS_PER_STEP);
        progressed = true;
      }
      if (eventTime.holding && this.#inputs.channels.every((input) => input.replay === undefined)) eventTime.replayFinished();
      if (eventTime.busy) {
        progressed = true;
        // Timers of an advanced watermark fire before any further input is read.
        if (!eventTime.run(this.#timerHost, deadline)) {
          this.#outputs.flush();
          return StepResult.Progressed;
        }
      }
      if (this.#ending) return StepResult.Finish;
      if (chain.source) {
        if (this.#sourceStatus !== 'end') {
          const before = chain.source.recordsOut;
          this.#sourceStatus = this.#pollSource(chain, deadline);
          this.#faults.onRecords(chain.source.recordsOut - before);
          progressed ||= this.#sourceStatus === 'more' || this.#sourceStatus === 'end';
        }
        if (this.#sourceStatus === 'end') this.#ending = true;
      } else {
        this.#reading = 'inputs';
        progressed = this.#inputs.read(this.#handle, deadline, this.#host) || progressed;
        // The end of the last input advanced the watermark to +Infinity: its timers fire first.
        if (this.#inputs.allFinished() && !eventTime.busy) this.#ending = true;
      }
      if (this.#ending) {
        chain.endInput();
        progressed = true;
      }
    }
    // Every input ended (endInput ran) and the outputs are still draining: checkpoints triggered
    // since then reach this subtask only as a trigger (Flink's checkpoints after tasks finish).
    if (this.#pendingTrigger !== undefined && this.#ending && !chain.source) {
      checkpointer.triggerAfterInputEnded(this.#pendingTrigger);
      this.#pendingTrigger = undefined;
    }
    this.#outputs.flush();
    chain.sink?.flush();
    return progressed ? StepResult.Progressed : StepResult.Idle;
  }

  /**
   * Milliseconds until this subtask must step again even if its doorbell stays quiet: alignment
   * timeouts, processing-time timers, a source's idle timeout.
   */
  untilDeadline(): number {
    const checkpoint = this.#checkpointer.tick();
    const chain = this.#chain;
    if (!chain) return checkpoint;
    const idleAt = chain.source?.watermarks?.idleDeadline() ?? Infinity;
    const wakeAt = Math.min(chain.nextProcessingTime(), idleAt);
    return wakeAt === Infinity ? checkpoint : Math.min(checkpoint, Math.max(0, wakeAt - Date.now()));
  }

  /** Ends every output, waits for pending snapshots and sink commits, and returns the outcome. */
  async finish(): Promise<SubtaskOutcome> {
    const chain = this.#chain!;
    this.#outputs.end();
    if (this.#finishedAtRestore) return { status: 'finished', operators: chain.counters(), replayedRecords: 0 };
    await this.#checkpointer.settled();
    await this.#commits;
    const sinkResult = await chain.sink?.finish();
    await chain.close();
    return { status: 'finished', operators: chain.counters(), replayedRecords: this.#inputs.replayedRecords, sinkResult };
  }

  /** The outcome of a cancelled subtask (its operators closed). */
  async cancelled(): Promise<SubtaskOutcome> {
    try {
      await this.#chain?.close();
    } catch {
      // Cancelled: what closing failed on no longer matters.
    }
    return { status: 'cancelled' };
  }

  /**
   * Lets go of the channels: producers feeding this subtask must not wait for it any more.
   * Call once, whatever the outcome.
   */
  release(outcome: SubtaskOutcome): void {
    for (const input of this.#inputs.channels) if (!input.finished) input.reader.cancel();
    const ended: SubtaskMessage = { type: 'ended', outcome };
    this.#deployment.port.postMessage(ended);
    this.#deployment.port.close();
  }

  async #build(): Promise<OperatorChain> {
    const d = this.#deployment;
    const edges: EdgeOutput[] = [];
    for (const output of d.outputs) {
      const channels = this.#outputs.addEdge(output);
      const key = output.partitioning.type === 'hash' ? await createKeyExtractor(output.partitioning.key, d.vertexName) : undefined;
      edges.push(createEdgeOutput(channels, output.partitioning, key, this.#context, d.maxParallelism, d.subtaskIndex));
    }
    const route: Collector<unknown> =
      edges.length === 1 ? edges[0]! : { collect: (record) => { for (const edge of edges) edge.collect(record); } };
    // Routing a record can fail (a key selector throws, a record does not fit its edge's
    // shape): that is a failure of the chain's last operator, which emitted the record.
    const emitter = d.operators[d.operators.length - 1]!.name;
    const tail: Collector<unknown> = {
      collect: (record) => {
        try {
          route.collect(record);
        } catch (error) {
          throw error instanceof OperatorFailure ? error : new OperatorFailure(emitter, error);
        }
      },
    };
    for (const input of d.inputs) {
      for (const channel of input.channels) {
        this.#inputs.channels.push({
          index: this.#inputs.channels.length,
          reader: new RingReader(channel.ring, { producerDoorbell: channel.peerDoorbell }),
          edgeId: input.edgeId,
          from: input.from,
          peerSubtask: channel.peerSubtask,
          finished: false,
          blocked: false,
          replay: undefined,
          cursor: new BatchCursor(input.shape),
        });
      }
    }
    if (d.debloat && this.#inputs.channels.length > 0) {
      this.#debloat = new InputDebloat(d.debloat, this.#inputs.channels.map((input) => input.reader), performance.now());
    }
    return OperatorChain.create(d, tail, this.#context, () => this.#wakeSelf.ring());
  }

  /**
   * A source subtask takes the checkpoints triggered since the last step. Once it ended it drops
   * them: the end of its input follows on its channels, which its consumers count as arrived, and
   * the coordinator completes the checkpoint without it once it has finished.
   */
  #takeSourceCheckpoints(ended: boolean): void {
    const triggers = this.#sourceTriggers;
    while (triggers.length > 0) {
      const checkpointId = triggers.shift()!;
      if (!ended) this.#checkpointer.triggerSource(checkpointId);
    }
  }

  /** Queues restored in-flight data: input channel state before each ring, output channel state first out. */
  #restoreChannels(state: ChannelStateSnapshot): void {
    assignInputReplays(this.#inputs.channels, state.inputs);
    for (const saved of state.outputs) {
      const output = this.#outputs.find(saved.edgeId, saved.consumer);
      if (!output) throw new Error(`restored channel state names an output (edge ${saved.edgeId}, subtask ${saved.consumer}) this subtask does not have`);
      output.channel.restorePending(saved.frames);
    }
  }

  #pollSource(chain: OperatorChain, deadline: number): SourceStatus {
    const source = chain.source!;
    const context = this.#context;
    this.#reading = 'source';
    let status: SourceStatus = 'more';
    const generator = source.watermarks;
    while (status === 'more' && !this.#backpressured()) {
      context.ingestNanos = nowNanos();
      const before = source.recordsOut;
      if (generator) source.pollNowMs = Date.now();
      try {
        status = source.source.poll(source.out, SOURCE_POLL_BUDGET);
      } catch (error) {
        // Failures of chained operators arrive here tagged with their operator; the rest are the source's.
        throw error instanceof OperatorFailure ? error : new OperatorFailure(source.name, error);
      }
      // Watermarks follow each batch the source read, not each record.
      if (generator) this.#afterSourceBatch(generator, source.recordsOut > before, status === 'end');
      if (performance.now() > deadline) break;
    }
    return status;
  }

  /** A source with a watermark strategy read a batch: its watermark, its idleness, +Infinity at its end. */
  #afterSourceBatch(generator: NonNullable<NonNullable<OperatorChain['source']>['watermarks']>, emitted: boolean, ended: boolean): void {
    const eventTime = this.#eventTime!;
    eventTime.sourceBatch(ended ? Infinity : generator.poll(), emitted);
    if (!emitted && !ended && generator.isIdle(Date.now())) eventTime.sourceIdle();
    // A source chain has no timers: the watermark goes out at once.
    eventTime.run(this.#timerHost, Infinity);
  }

  /** What the decoder hands each record of an input frame to. */
  #recordHandler(chain: OperatorChain): RecordHandler {
    const input = chain.input;
    const context = this.#context;
    return (record, ingestNanos, keyGroup, eventTime) => {
      context.ingestNanos = ingestNanos;
      context.keyGroup = keyGroup;
      context.eventTime = eventTime;
      this.#recordsIn++;
      input.collect(record);
    };
  }

  /** A barrier announcement or a control message waits, here or at another subtask of the slot: go back to the top of the loop for it. */
  #interrupted(): boolean {
    return this.attentionNeeded() || this.#peersNeedAttention();
  }

  /** Whether a control message or a barrier announcement waits for this subtask's next step. */
  attentionNeeded(): boolean {
    if (this.#control.available() > 0) return true;
    return this.#checkpointer.announcementWaiting();
  }

  /**
   * Lets a slow step of this subtask stop between records when `peersNeedAttention` says another
   * subtask of the thread has a control message or an announcement waiting (see Slot).
   */
  watchPeers(peersNeedAttention: () => boolean): void {
    this.#peersNeedAttention = peersNeedAttention;
  }

  #backpressured(): boolean {
    return this.#outputs.backpressured() || this.#sinkBackpressured();
  }

  #pollControl(): void {
    const control = this.#control;
    while (control.tryRead()) {
      const message = this.#controlDecoder.unpack(control.payload().slice()) as ControlMessage;
      switch (message.type) {
        case 'cancel':
          this.#cancelled = true;
          break;
        case 'trigger-checkpoint':
          this.#checkpointer.onTriggered(message.checkpointId, message.triggerNanos);
          if (this.#chain?.source) this.#sourceTriggers.push(message.checkpointId);
          else this.#pendingTrigger = Math.max(this.#pendingTrigger ?? 0, message.checkpointId);
          break;
        case 'checkpoint-complete': {
          const { checkpointId } = message;
          this.#commits = this.#commits
            .then(() => this.#checkpointer.onComplete(checkpointId))
            .catch((error: unknown) => {
              this.#commitError ??= { error };
              this.#wakeSelf.ring();
            });
          break;
        }
        case 'checkpoint-aborted':
          this.#checkpointer.onAborted(message.checkpointId);
          break;
        default:
          assertNever(message);
      }
    }
    control.release();
  }

  #describePosition(): string | undefined {
    const reading = this.#reading;
    if (reading === undefined) return undefined;
    if (reading === 'source') {
      const source = this.#chain?.source?.source;
      const position = source?.position();
      return source?.describePosition?.(position) ?? `source position ${JSON.stringify(position)} (in the source's own terms)`;
    }
    return this.#inputs.describePosition();
  }

  /** The outcome of a subtask that threw `error` (its operators closed). */
  async fail(error: unknown): Promise<SubtaskOutcome> {
    // Where it was, before its operators close: a closed source may no longer know its position.
    let position: string | undefined;
    try {
      position = this.#describePosition();
    } catch {
      position = undefined; // the failure is what to report, not a position the source cannot give
    }
    try {
      await this.#chain?.close();
    } catch {
      // The first failure is the one to report.
    }
    const operator = error instanceof OperatorFailure ? error.operator : this.#deployment.vertexName;
    const cause = error instanceof OperatorFailure ? error.cause : error;
    return {
      status: 'failed',
      operator,
      recordsIn: this.#recordsIn,
      position,
      error: serializeError(cause),
    };
  }
}
