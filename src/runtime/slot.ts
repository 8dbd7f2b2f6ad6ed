import { Doorbell, DoorbellRinger } from '../../native-free-buffers/index.js';
import type { SlotDeployment, SubtaskOutcome } from './deployment.js';
import { StepResult, Subtask } from './subtask.js';
import { takeEventLoopTurnRequest } from './event-loop-turn.js';

/** Longest one subtask steps before the slot turns to the next (latency across a slot's subtasks). */
const STEP_SLICE_MS = 2;
/** Longest the slot runs before yielding to the event loop (async I/O, timers, messages). */
const YIELD_EVERY_MS = 5;
/** Spins on the doorbell before parking: a peer that is about to write wakes us without a park. */
const DOORBELL_SPIN = 64;

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A subtask of the slot and where it is in its life. */
interface Member {
  readonly subtask: Subtask;
  /** 1 + its index in the slot: what {@link Slot} stores in the `running` word while it runs the subtask. */
  readonly tag: number;
  /** Stepping; false once it is finishing, has ended or failed. */
  active: boolean;
  outcome: SubtaskOutcome | undefined;
}

/**
 * One worker thread's share of a job (Flink's slot sharing): subtask i of every vertex of one
 * slot sharing group with more than i subtasks. The slot steps its subtasks in turn on one thread and parks on the
 * thread's one doorbell when none of them can move, so a job at parallelism p keeps p threads
 * busy, not one per operator. Channels between subtasks of the same slot stay rings: a
 * producer whose ring is full stops its step (backpressure), and the slot then steps the
 * consumer, so a full same-thread channel cannot deadlock.
 *
 * When one subtask fails, the others of the slot are cancelled at once: the job manager fails
 * the attempt anyway, and their threads are one.
 */
export class Slot {
  readonly #deployment: SlotDeployment;
  readonly #doorbell: Doorbell;
  readonly #wakeSelf: DoorbellRinger;
  /** Which member's code the thread runs (see SlotDeployment.running). */
  readonly #runningWord: Int32Array;

  constructor(deployment: SlotDeployment) {
    this.#deployment = deployment;
    this.#doorbell = new Doorbell(deployment.doorbell, { spin: DOORBELL_SPIN });
    this.#wakeSelf = new DoorbellRinger(deployment.doorbell);
    this.#runningWord = new Int32Array(deployment.running);
  }

  /**
   * Runs an asynchronous part of a member (opening, finishing), marked as that member's while
   * its synchronous parts run: continuations after an await are not marked, but a member's
   * open or finish that makes the thread exit does so before its first await in practice.
   */
  async #running<T>(member: Member, body: () => Promise<T>): Promise<T> {
    Atomics.store(this.#runningWord, 0, member.tag);
    const pending = body();
    Atomics.store(this.#runningWord, 0, 0);
    return pending;
  }

  /** Runs every subtask of the slot to its end; never throws: failures are outcomes. */
  async run(): Promise<SubtaskOutcome[]> {
    const members: Member[] = this.#deployment.subtasks.map((deployment, index) => ({
      subtask: new Subtask(deployment),
      tag: index + 1,
      active: true,
      outcome: undefined,
    }));
    const finishing: Array<Promise<void>> = [];
    let failed = false;
    const end = (member: Member, outcome: SubtaskOutcome): void => {
      member.active = false;
      member.outcome = outcome;
      if (outcome.status === 'failed') failed = true;
      member.subtask.release(outcome);
    };
    await Promise.all(
      members.map(async (member) => {
        try {
          await this.#running(member, () => member.subtask.start());
        } catch (error) {
          end(member, await member.subtask.fail(error));
        }
      }),
    );

    // A slow operator's step (a sink that sleeps per record) stops between records as soon as
    // another subtask of the slot has a control message or a barrier announcement waiting, so a
    // checkpoint's trigger and barriers do not wait for the rest of that step's time slice.
    for (const member of members) {
      const peers = members.filter((other) => other !== member);
      if (peers.length === 0) continue;
      member.subtask.watchPeers(() => {
        for (const peer of peers) if (peer.active && peer.subtask.attentionNeeded()) return true;
        return false;
      });
    }

    const doorbell = this.#doorbell;
    let sliceStart = performance.now();
    for (;;) {
      if (failed) {
        for (const member of members) if (member.active) end(member, await member.subtask.cancelled());
      }
      const sampled = doorbell.sample();
      let progressed = false;
      let untilDeadline = Infinity;
      let stepping = 0;
      for (const member of members) {
        if (!member.active) continue;
        let result: StepResult;
        try {
          Atomics.store(this.#runningWord, 0, member.tag);
          result = member.subtask.step(performance.now() + STEP_SLICE_MS);
          Atomics.store(this.#runningWord, 0, 0);
        } catch (error) {
          Atomics.store(this.#runningWord, 0, 0);
          end(member, await member.subtask.fail(error));
          progressed = true;
          continue;
        }
        if (result === StepResult.Progressed) {
          progressed = true;
        } else if (result === StepResult.Finish) {
          member.active = false;
          progressed = true;
          finishing.push(this.#finish(member, end));
          continue;
        } else if (result === StepResult.Cancelled) {
          end(member, await member.subtask.cancelled());
          progressed = true;
          continue;
        }
        stepping++;
        untilDeadline = Math.min(untilDeadline, member.subtask.untilDeadline());
        if (takeEventLoopTurnRequest()) {
          await yieldToEventLoop();
          sliceStart = performance.now();
        }
      }
      if (stepping === 0 && !members.some((member) => member.active)) {
        if (members.every((member) => member.outcome !== undefined)) break;
        // Subtasks are finishing (pending snapshots, sink commits): they ring the doorbell when done.
        await doorbell.waitAsync(sampled);
        sliceStart = performance.now();
        continue;
      }
      if (!progressed) {
        await doorbell.waitAsync(sampled, untilDeadline);
        sliceStart = performance.now();
      } else if (performance.now() - sliceStart > YIELD_EVERY_MS) {
        await yieldToEventLoop();
        sliceStart = performance.now();
      }
    }
    await Promise.all(finishing);
    return members.map((member) => member.outcome!);
  }

  /** Runs a subtask's asynchronous end and rings the slot's doorbell once it has an outcome. */
  async #finish(member: Member, end: (member: Member, outcome: SubtaskOutcome) => void): Promise<void> {
    let outcome: SubtaskOutcome;
    try {
      outcome = await this.#running(member, () => member.subtask.finish());
    } catch (error) {
      outcome = await member.subtask.fail(error);
    }
    end(member, outcome);
    this.#wakeSelf.ring();
  }
}
