import { Unpackr } from 'msgpackr';
import { Doorbell, DoorbellRinger, RingReader } from '../../native-free-buffers/index.js';
import type { Collector } from '../api/context.js';
import type { SourceStatus } from '../api/functions.js';
import { assertNever } from '../errors/sluice-error.js';
import { ChannelOutput } from './channel-output.js';
import type { ControlMessage, SubtaskDeployment, SubtaskOutcome } from './deployment.js';
import { serializeError } from './deployment.js';
import { EdgeOutput } from './edge-output.js';
import { OperatorChain, OperatorFailure } from './operator-chain.js';
import { BatchDecoder } from './record-batch.js';
import type { RecordContext } from './record-context.js';
import { nowNanos } from './record-context.js';
import { createKeyExtractor } from './record-key.js';

/** Records a source may emit per poll; the ingestion timestamp is taken once per poll. */
const SOURCE_POLL_BUDGET = 256;
/** Frames read from one input channel before moving to the next (fairness). */
const FRAMES_PER_CHANNEL = 16;
/** Longest a busy loop runs before yielding to the event loop (async I/O, timers, messages). */
const YIELD_EVERY_MS = 5;

interface InputChannel {
  readonly reader: RingReader;
  readonly from: string;
  readonly peerSubtask: number;
  finished: boolean;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Runs one subtask to its end: a loop that runs synchronously while it has work, publishes
 * its outputs once per step, and parks on its doorbell (Atomics.waitAsync) when idle.
 */
export class Subtask {
  readonly #deployment: SubtaskDeployment;
  readonly #doorbell: Doorbell;
  readonly #control: RingReader;
  readonly #controlDecoder = new Unpackr();
  readonly #context: RecordContext = { ingestNanos: 0 };
  readonly #decoder = new BatchDecoder();
  readonly #inputs: InputChannel[] = [];
  readonly #channels: ChannelOutput[] = [];
  #chain: OperatorChain | undefined;
  #recordsIn = 0;
  #cancelled = false;
  /** Describes the input being processed, for error messages. */
  #position: (() => string) | undefined;

  constructor(deployment: SubtaskDeployment) {
    this.#deployment = deployment;
    this.#doorbell = new Doorbell(deployment.doorbell, { spin: 64 });
    this.#control = new RingReader(deployment.control);
  }

  /** Runs the subtask; never throws: failures are returned as an outcome. */
  async run(): Promise<SubtaskOutcome> {
    try {
      const chain = await this.#build();
      this.#chain = chain;
      await chain.open();
      const outcome = await this.#loop(chain);
      await chain.close();
      return outcome;
    } catch (error) {
      return this.#failed(error);
    } finally {
      // Whatever happened, the producers feeding this subtask must not wait for it any more.
      for (const input of this.#inputs) if (!input.finished) input.reader.cancel();
    }
  }

  async #build(): Promise<OperatorChain> {
    const d = this.#deployment;
    const edges: EdgeOutput[] = [];
    for (const output of d.outputs) {
      const channels = output.channels.map((channel) => new ChannelOutput(channel.ring, channel.peerDoorbell, output.shape));
      this.#channels.push(...channels);
      const key = output.partitioning.type === 'hash' ? await createKeyExtractor(output.partitioning.key, d.vertexName) : undefined;
      edges.push(new EdgeOutput(channels, output.partitioning, key, this.#context, d.maxParallelism, d.subtaskIndex));
    }
    const tail: Collector<unknown> =
      edges.length === 1 ? edges[0]! : { collect: (record) => { for (const edge of edges) edge.collect(record); } };
    for (const input of d.inputs) {
      for (const channel of input.channels) {
        this.#inputs.push({
          reader: new RingReader(channel.ring, { producerDoorbell: channel.peerDoorbell }),
          from: input.from,
          peerSubtask: channel.peerSubtask,
          finished: false,
        });
      }
    }
    const self = new DoorbellRinger(d.doorbell);
    return OperatorChain.create(d, tail, this.#context, () => self.ring());
  }

  async #loop(chain: OperatorChain): Promise<SubtaskOutcome> {
    const doorbell = this.#doorbell;
    let ending = false;
    let sourceStatus: SourceStatus = 'more';
    let sliceStart = performance.now();
    for (;;) {
      const sampled = doorbell.sample();
      this.#pollControl();
      if (this.#cancelled) return { status: 'cancelled' };
      let progressed = this.#drainOutputs();
      if (!this.#backpressured()) {
        if (ending) {
          for (const channel of this.#channels) channel.end();
          const sinkResult = await chain.sink?.finish();
          return { status: 'finished', operators: chain.counters(), sinkResult };
        }
        if (chain.source) {
          if (sourceStatus !== 'end') {
            sourceStatus = this.#pollSource(chain);
            progressed ||= sourceStatus === 'more' || sourceStatus === 'end';
          }
          if (sourceStatus === 'end') ending = true;
        } else {
          progressed = this.#readInputs(chain) || progressed;
          if (this.#inputs.every((input) => input.finished)) ending = true;
        }
        if (ending) {
          chain.endInput();
          progressed = true;
        }
      }
      this.#flushOutputs();
      if (!progressed && !ending) {
        await doorbell.waitAsync(sampled);
        sliceStart = performance.now();
      } else if (performance.now() - sliceStart > YIELD_EVERY_MS) {
        await yieldToEventLoop();
        sliceStart = performance.now();
      }
    }
  }

  #pollSource(chain: OperatorChain): SourceStatus {
    const source = chain.source!;
    const context = this.#context;
    this.#position = () => `source position ${JSON.stringify(source.source.position())}`;
    let status: SourceStatus = 'more';
    const deadline = performance.now() + YIELD_EVERY_MS;
    while (status === 'more' && !this.#backpressured()) {
      context.ingestNanos = nowNanos();
      status = source.source.poll(source.out, SOURCE_POLL_BUDGET);
      if (performance.now() > deadline) break;
    }
    return status;
  }

  #readInputs(chain: OperatorChain): boolean {
    const input = chain.input;
    const context = this.#context;
    const decoder = this.#decoder;
    const handle = (record: unknown, ingestNanos: number) => {
      context.ingestNanos = ingestNanos;
      this.#recordsIn++;
      input.collect(record);
    };
    let progressed = false;
    const deadline = performance.now() + YIELD_EVERY_MS;
    let more = true;
    while (more && !this.#backpressured()) {
      more = false;
      for (const channel of this.#inputs) {
        if (channel.finished) continue;
        const reader = channel.reader;
        let frames = 0;
        while (frames < FRAMES_PER_CHANNEL && reader.tryRead()) {
          const frameStart = reader.position;
          this.#position = () => `a record batch read from '${channel.from}' subtask ${channel.peerSubtask} (channel position ${frameStart})`;
          decoder.decode(reader.frameType, reader.bytes, reader.frameOffset, reader.frameLength, handle);
          frames++;
          if (this.#backpressured()) break;
        }
        if (frames > 0) {
          progressed = true;
          if (frames === FRAMES_PER_CHANNEL) more = true;
        }
        reader.release();
        if (frames === 0 && reader.finished) {
          channel.finished = true;
          progressed = true;
        }
      }
      if (performance.now() > deadline) break;
    }
    return progressed;
  }

  #backpressured(): boolean {
    for (const channel of this.#channels) if (channel.backpressured) return true;
    return false;
  }

  #drainOutputs(): boolean {
    let drained = false;
    for (const channel of this.#channels) {
      if (channel.backpressured && channel.drainPending()) drained = true;
    }
    return drained;
  }

  #flushOutputs(): void {
    for (const channel of this.#channels) channel.flush();
  }

  #pollControl(): void {
    const control = this.#control;
    while (control.tryRead()) {
      const message = this.#controlDecoder.unpack(control.payload().slice()) as ControlMessage;
      switch (message.type) {
        case 'cancel':
          this.#cancelled = true;
          break;
        default:
          assertNever(message.type);
      }
    }
    control.release();
  }

  async #failed(error: unknown): Promise<SubtaskOutcome> {
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
      position: this.#position?.(),
      error: serializeError(cause),
    };
  }
}
