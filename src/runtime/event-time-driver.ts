/**
 * The event time of one subtask: its watermark (the minimum over its non-idle input channels,
 * or what its source's watermark generator emits), the firing of event-time timers when it
 * advances, and forwarding it on every output channel once they fired.
 *
 * Timers fire in bounded steps ({@link TIMER_FIRINGS_PER_STEP} per operator and call): the
 * subtask polls barrier announcements and control messages between steps, so a timer storm
 * does not hold an unaligned checkpoint back, and reads no input until the watermark's timers
 * have all fired (a record that follows a watermark is processed after the timers it makes due).
 *
 * After a restore from a checkpoint with in-flight data, the watermark is held until that data
 * has been replayed (Flink's rule: a replayed record is never judged against a watermark that
 * overtook it); the restored watermark is advanced to once more at start, so timers due at it
 * fire and consumers, whose channels restart without a watermark, receive it again.
 */
import type { GateWatermarks } from './input-gate.js';
import type { OperatorChain } from './operator-chain.js';
import { TIMER_FIRINGS_PER_STEP } from './operator-chain.js';
import type { OutputGate } from './output-gate.js';
import { InputWatermarks, NO_WATERMARK } from './watermarks.js';
import { WATERMARK_IDLE } from './frames.js';

/** What the driver needs to know between timer steps. */
export interface TimerStepHost {
  /** A control message or an announcement waits, or an output is full: stop between steps. */
  shouldPause(): boolean;
}

/** Pauses after one step: the input gate fires a watermark's first step inline, the rest between steps. */
const ONE_STEP: TimerStepHost = { shouldPause: () => true };

/** The event time of a subtask of a job with event time (see the file comment). */
export class EventTimeDriver implements GateWatermarks {
  readonly #chain: OperatorChain;
  readonly #outputs: OutputGate;
  /** Per-channel watermarks; undefined for a source subtask. */
  readonly #inputs: InputWatermarks | undefined;
  /** The watermark whose timers are firing; forwarded once they all have. */
  #advancing: number | undefined;
  /** Whether this subtask told its outputs it is idle (and has not sent a watermark since). */
  #idleSent = false;
  /** Waits for restored in-flight data to be replayed before the watermark may advance. */
  #holding = false;

  constructor(chain: OperatorChain, outputs: OutputGate, inputChannels: number) {
    this.#chain = chain;
    this.#outputs = outputs;
    const restored = chain.watermark ?? NO_WATERMARK;
    chain.watermark = restored;
    this.#inputs = inputChannels > 0 ? new InputWatermarks(inputChannels, restored) : undefined;
    if (restored > NO_WATERMARK) this.#advancing = restored;
  }

  /** The subtask's watermark. */
  get current(): number {
    return this.#chain.watermark!;
  }

  /** Whether timers of an advanced watermark are still to fire (no input is read meanwhile). */
  get busy(): boolean {
    return this.#advancing !== undefined;
  }

  /** Holds the watermark until {@link replayFinished} (restored in-flight data is queued). */
  holdForReplay(): void {
    this.#holding = true;
    this.#inputs?.holdUntilReplayed();
  }

  /** Whether the watermark is held for a replay. */
  get holding(): boolean {
    return this.#holding;
  }

  /** Restored in-flight data has been replayed: watermarks advance again. */
  replayFinished(): void {
    this.#holding = false;
    const advanced = this.#inputs?.replayFinished();
    if (advanced !== undefined) this.#advance(advanced);
  }

  onWatermark(channel: number, watermark: number): boolean {
    const inputs = this.#inputs!;
    if (Number.isNaN(watermark)) {
      const advanced = inputs.markIdle(channel);
      if (advanced !== undefined) this.#advanceInline(advanced);
      else if (inputs.allIdle() && !this.#idleSent) {
        this.#idleSent = true;
        this.#outputs.emitWatermark(WATERMARK_IDLE);
      }
      return this.busy;
    }
    const advanced = inputs.update(channel, watermark);
    if (advanced !== undefined) this.#advanceInline(advanced);
    return this.busy;
  }

  onEndOfPartition(channel: number): boolean {
    const advanced = this.#inputs!.endOfInput(channel);
    if (advanced !== undefined) this.#advanceInline(advanced);
    return this.busy;
  }

  /**
   * Advances while the input gate reads: the first step of timers fires at once (most watermarks
   * make none or few due, and the read pass then goes on); if more are due, the subtask fires
   * them in later steps before it reads on.
   */
  #advanceInline(watermark: number): void {
    this.#advance(watermark);
    this.run(ONE_STEP, Infinity);
  }

  /**
   * A source subtask read a batch: `watermark` is what its generator emits now (undefined: no
   * advance; Infinity at the end of its input). A source that said it was idle and reads records
   * again sends its watermark again, which makes its channels active downstream.
   */
  sourceBatch(watermark: number | undefined, emitted: boolean): void {
    if (watermark !== undefined && watermark > this.current) this.#advance(watermark);
    else if (emitted && this.#idleSent) this.#advance(this.current);
  }

  /** A source subtask has read nothing for its idle timeout: its outputs stop holding watermarks back. */
  sourceIdle(): void {
    if (this.#idleSent || this.busy) return;
    this.#idleSent = true;
    this.#outputs.emitWatermark(WATERMARK_IDLE);
  }

  /**
   * Fires the due timers of the advancing watermark in bounded steps until they all fired (then
   * forwards it: true) or the host asks to pause (false: call again in a later step).
   */
  run(host: TimerStepHost, deadline: number): boolean {
    const watermark = this.#advancing;
    if (watermark === undefined) return true;
    while (this.#chain.fireEventTimers(watermark, TIMER_FIRINGS_PER_STEP)) {
      if (host.shouldPause() || performance.now() > deadline) return false;
    }
    this.#advancing = undefined;
    this.#outputs.emitWatermark(watermark);
    return true;
  }

  #advance(watermark: number): void {
    this.#chain.watermark = watermark;
    this.#advancing = watermark;
    this.#idleSent = false;
  }
}
