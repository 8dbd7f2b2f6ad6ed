/**
 * Properties of the barrier handler in every mode, over random interleavings of what N producers
 * send to one consumer subtask.
 *
 * The model (docs/design.md, Data plane and Checkpoints): each input channel has an in-band lane
 * (records, in-band barriers, end of partition, in byte-position order) and a priority lane
 * (announcements {checkpointId, position}, FIFO). Each producer, for checkpoint ids in
 * increasing order, announces and (except in unaligned mode, or when it timed out upstream in
 * aligned-timeout mode) writes its in-band barrier at the announced position; it may skip an id
 * (it aborted that checkpoint upstream) and may end. The consumer reads:
 * - a priority lane whenever it is not empty (announcements overtake queued data);
 * - an in-band lane only while the handler has not blocked that channel, and only once every
 *   announcement at or before the next frame's position has been read (the write position is
 *   loaded before the priority slot, so an announcement a frame lies past is visible first).
 * Besides, the alignment timer of any checkpoint and the coordinator's abort of any checkpoint
 * may fire at any time. After the random schedule, everything left is delivered; if nothing can
 * be delivered while a checkpoint is still pending, the coordinator aborts it (checkpoint timeout).
 *
 * Checked on every action and event:
 * - the handler never throws;
 * - each checkpoint it starts is snapshotted exactly once unless it is aborted (abortCheckpoint,
 *   or an abort event), and forwarded once right after, with the snapshot's alignment;
 * - aligned snapshots (every aligned and at-least-once snapshot) come only after every non-ended
 *   channel's barrier arrived; unaligned ones only in unaligned/aligned-timeout mode, and in
 *   aligned-timeout only on that checkpoint's timeout or an unaligned announcement;
 * - per unaligned snapshot every channel is settled exactly once: a channel blocked behind its
 *   barrier at the snapshot has nothing in flight and gets no channelStateEndsAt (that is what
 *   the code does), every other one gets exactly one, at its announced position or at 'end' if it
 *   ended without announcing; the handler is back waiting only when all are settled;
 * - the position rule: in the exactly-once modes the consumer never reads past an announced
 *   position P_c of a checkpoint it has neither snapshotted nor abandoned;
 * - nothing stays blocked in waiting, and by the end everything is delivered, nothing is blocked,
 *   and (unless some producer skipped a checkpoint) no checkpoint had to be aborted to get there.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CHECKPOINT_MODES } from '../../src/checkpoint/checkpoint-mode.js';
import type { CheckpointMode } from '../../src/checkpoint/checkpoint-mode.js';
import { Harness, WAITING, formatAction } from './support/barrier-harness.js';
import type { Action } from './support/barrier-harness.js';

const FRAME = 8;

interface CheckpointPlan {
  emitted: boolean;
  /** Announced only, no in-band frame (unaligned mode, or timed out upstream). */
  unaligned: boolean;
  recordsBefore: number;
}

interface ProducerPlan {
  checkpoints: CheckpointPlan[]; // index i: checkpoint i + 1
  /** Ends after checkpoint `endsAfter` (emitting no later one), or never (undefined). */
  endsAfter: number | undefined;
  recordsAfter: number;
}

type Choice = { kind: 'deliver'; pick: number } | { kind: 'timeout'; id: number } | { kind: 'abort'; id: number };

interface Scenario {
  producers: ProducerPlan[];
  choices: Choice[];
}

function scenarioArbitrary(mode: CheckpointMode): fc.Arbitrary<Scenario> {
  return fc
    .record({
      channels: fc.integer({ min: 1, max: 4 }),
      maxId: fc.integer({ min: 1, max: 4 }),
      skips: fc.oneof({ weight: 2, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    })
    .chain(({ channels, maxId, skips }) => {
      const checkpoint: fc.Arbitrary<CheckpointPlan> = fc.record({
        emitted: skips ? fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }) : fc.constant(true),
        unaligned:
          mode === 'unaligned'
            ? fc.constant(true)
            : mode === 'aligned-timeout'
              ? fc.oneof({ weight: 3, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) })
              : fc.constant(false),
        recordsBefore: fc.integer({ min: 0, max: 2 }),
      });
      const producer: fc.Arbitrary<ProducerPlan> = fc.record({
        checkpoints: fc.array(checkpoint, { minLength: maxId, maxLength: maxId }),
        endsAfter: fc.oneof(fc.constant(undefined), fc.integer({ min: 0, max: maxId })),
        recordsAfter: fc.integer({ min: 0, max: 2 }),
      });
      const id = fc.integer({ min: 1, max: maxId });
      const choice: fc.Arbitrary<Choice> = fc.oneof(
        { weight: 16, arbitrary: fc.nat({ max: 7 }).map((pick) => ({ kind: 'deliver' as const, pick })) },
        { weight: mode === 'aligned-timeout' ? 3 : 1, arbitrary: id.map((i) => ({ kind: 'timeout' as const, id: i })) },
        { weight: 2, arbitrary: id.map((i) => ({ kind: 'abort' as const, id: i })) },
      );
      return fc.record({
        producers: fc.array(producer, { minLength: channels, maxLength: channels }),
        choices: fc.array(choice, { maxLength: 80 }),
      });
    });
}

interface InBandItem {
  kind: 'record' | 'barrier' | 'end';
  /** Byte position where the frame starts. */
  start: number;
  id: number; // checkpoint id for a barrier, 0 otherwise
}

interface Announcement {
  id: number;
  position: number;
  unaligned: boolean;
}

/** The lanes of one channel, as its producer fills them. */
function producerLanes(plan: ProducerPlan): { inBand: InBandItem[]; priority: Announcement[] } {
  const inBand: InBandItem[] = [];
  const priority: Announcement[] = [];
  let position = 0;
  const records = (n: number): void => {
    for (let i = 0; i < n; i++) {
      inBand.push({ kind: 'record', start: position, id: 0 });
      position += FRAME;
    }
  };
  const last = plan.endsAfter ?? plan.checkpoints.length;
  for (let i = 0; i < last; i++) {
    const cp = plan.checkpoints[i]!;
    records(cp.recordsBefore);
    if (!cp.emitted) continue;
    const id = i + 1;
    priority.push({ id, position, unaligned: cp.unaligned });
    if (!cp.unaligned) {
      inBand.push({ kind: 'barrier', start: position, id });
      position += FRAME;
    }
  }
  records(plan.recordsAfter);
  if (plan.endsAfter !== undefined) inBand.push({ kind: 'end', start: position, id: 0 });
  return { inBand, priority };
}

type Event =
  | { kind: 'barrier'; channel: number; id: number }
  | { kind: 'announcement'; channel: number; id: number; unaligned: boolean }
  | { kind: 'timeout'; id: number }
  | { kind: 'abort'; id: number }
  | { kind: 'end'; channel: number };

interface UnalignedSnapshot {
  id: number;
  blockedAtSnapshot: Set<number>;
  settled: Map<number, number | 'end'>;
  aborted: boolean;
}

/** What the runs of a mode exercised, so that a property that tested nothing fails. */
interface Coverage {
  runs: number;
  alignedSnapshots: number;
  unalignedSnapshots: number;
  switchedOnTimeout: number;
  switchedOnAnnouncement: number;
  settledByAnnouncementLater: number;
  settledEnd: number;
  noStateForBlocked: number;
  subsumed: number;
  abortsTaken: number;
  staleInBandAfterSwitch: number;
  endedDuringCheckpoint: number;
  blocked: number;
  stalls: number;
}

function newCoverage(): Coverage {
  return {
    runs: 0,
    alignedSnapshots: 0,
    unalignedSnapshots: 0,
    switchedOnTimeout: 0,
    switchedOnAnnouncement: 0,
    settledByAnnouncementLater: 0,
    settledEnd: 0,
    noStateForBlocked: 0,
    subsumed: 0,
    abortsTaken: 0,
    staleInBandAfterSwitch: 0,
    endedDuringCheckpoint: 0,
    blocked: 0,
    stalls: 0,
  };
}

const EXACTLY_ONCE: ReadonlySet<CheckpointMode> = new Set(['aligned', 'unaligned', 'aligned-timeout']);

const STATES: Record<CheckpointMode, ReadonlySet<string>> = {
  aligned: new Set([WAITING, 'collecting-aligned']),
  unaligned: new Set([WAITING, 'collecting-channel-state']),
  'aligned-timeout': new Set([WAITING, 'collecting-aligned-timeout', 'collecting-channel-state']),
  'at-least-once': new Set([WAITING, 'collecting-at-least-once']),
};

class Run {
  readonly h: Harness;
  readonly channels: number;
  readonly inBand: InBandItem[][];
  readonly priority: Announcement[][];
  /** Per channel: checkpoint id -> announced position, for every announcement the producer sends. */
  readonly announcedAt: Map<number, number>[];
  readonly barrierRead: Set<number>[];
  readonly announcementRead: Set<number>[];
  readonly ended: boolean[];
  readonly blocked = new Set<number>();
  readonly snapshots: Array<{ id: number; unaligned: boolean }> = [];
  readonly forwards: Array<{ id: number; unaligned: boolean }> = [];
  readonly timers: number[] = [];
  readonly subsumed = new Set<number>();
  /** Checkpoints an abort event abandoned while the handler was collecting them. */
  readonly abortedByEvent = new Set<number>();
  readonly begun = new Set<number>();
  readonly unalignedSnapshots: UnalignedSnapshot[] = [];
  readonly skips: boolean;
  stalled = false;
  private event: Event | undefined;
  private trace: string[] = [];

  constructor(
    readonly mode: CheckpointMode,
    scenario: Scenario,
    readonly coverage: Coverage,
  ) {
    this.channels = scenario.producers.length;
    this.h = new Harness(this.channels, mode);
    const lanes = scenario.producers.map(producerLanes);
    this.inBand = lanes.map((l) => l.inBand);
    this.priority = lanes.map((l) => l.priority);
    this.announcedAt = lanes.map((l) => new Map(l.priority.map((a) => [a.id, a.position])));
    this.barrierRead = lanes.map(() => new Set());
    this.announcementRead = lanes.map(() => new Set());
    this.ended = lanes.map(() => false);
    // A producer skipped a checkpoint it would have sent (ids after its end are not skips).
    this.skips = scenario.producers.some((p) => p.checkpoints.slice(0, p.endsAfter ?? p.checkpoints.length).some((c) => !c.emitted));
    this.h.actions.listener = (action) => this.onAction(action);
  }

  private fail(message: string): never {
    throw new Error(`${this.mode}: ${message}\n  trace:\n    ${this.trace.join('\n    ')}`);
  }

  private check(condition: boolean, message: () => string): void {
    if (!condition) this.fail(message());
  }

  private get current(): UnalignedSnapshot | undefined {
    const last = this.unalignedSnapshots.at(-1);
    return last !== undefined && !last.aborted ? last : undefined;
  }

  private snapshotted(id: number): boolean {
    return this.snapshots.some((s) => s.id === id);
  }

  /** Checks each action as the handler makes it, against what has been delivered so far. */
  private onAction(action: Action): void {
    this.trace.push(`  -> ${formatAction(action)}`);
    const event = this.event;
    const mode = this.mode;
    switch (action.kind) {
      case 'blockChannel': {
        this.check(mode === 'aligned' || mode === 'aligned-timeout', () => `blockChannel in ${mode} mode`);
        this.check(event?.kind === 'barrier' && event.channel === action.channel, () => `blocked channel ${action.channel} on an event that is not its barrier`);
        this.check(!this.blocked.has(action.channel), () => `channel ${action.channel} blocked twice`);
        this.blocked.add(action.channel);
        this.coverage.blocked++;
        break;
      }
      case 'unblockChannels':
        this.blocked.clear();
        break;
      case 'takeSnapshot': {
        const { id, unaligned } = action;
        const previous = this.snapshots.at(-1);
        this.check(previous === undefined || id > previous.id, () => `snapshot ${id} after snapshot ${previous?.id}`);
        this.check(this.forwards.length === this.snapshots.length, () => `snapshot ${id} before the previous one was forwarded`);
        this.snapshots.push({ id, unaligned });
        if (!unaligned) {
          this.check(mode !== 'unaligned', () => `aligned snapshot in unaligned mode`);
          for (let c = 0; c < this.channels; c++) {
            this.check(this.ended[c]! || this.barrierRead[c]!.has(id), () => `aligned snapshot ${id} before channel ${c}'s barrier arrived`);
          }
          this.coverage.alignedSnapshots++;
        } else {
          this.check(mode === 'unaligned' || mode === 'aligned-timeout', () => `unaligned snapshot in ${mode} mode`);
          if (mode === 'aligned-timeout') {
            this.check(this.timers.includes(id), () => `unaligned snapshot ${id} without its alignment timer armed`);
            const onTimeout = event?.kind === 'timeout' && event.id === id;
            const onUnalignedAnnouncement = event?.kind === 'announcement' && event.id === id && event.unaligned;
            this.check(onTimeout || onUnalignedAnnouncement, () => `switched to unaligned for ${id} on ${JSON.stringify(event)}`);
            if (onTimeout) this.coverage.switchedOnTimeout++;
            else this.coverage.switchedOnAnnouncement++;
          } else {
            this.check(event?.kind === 'announcement' && event.id === id, () => `unaligned snapshot ${id} on ${JSON.stringify(event)}`);
          }
          for (const c of this.blocked) {
            this.check(this.barrierRead[c]!.has(id), () => `channel ${c} blocked at snapshot ${id} without its barrier`);
            this.coverage.noStateForBlocked++;
          }
          this.unalignedSnapshots.push({ id, blockedAtSnapshot: new Set(this.blocked), settled: new Map(), aborted: false });
          this.coverage.unalignedSnapshots++;
        }
        break;
      }
      case 'channelStateEndsAt': {
        const { channel, position } = action;
        const snap = this.current;
        this.check(snap !== undefined, () => `channelStateEndsAt(${channel}) with no unaligned snapshot in progress`);
        const s = snap!;
        this.check(!s.blockedAtSnapshot.has(channel), () => `channel ${channel} was blocked behind its barrier at snapshot ${s.id}, yet settled`);
        this.check(!s.settled.has(channel), () => `channel ${channel} settled twice for snapshot ${s.id}`);
        s.settled.set(channel, position);
        const announced = this.announcedAt[channel]!.get(s.id);
        if (announced !== undefined) {
          this.check(position === announced, () => `channel ${channel} settled at ${position} for ${s.id}, announced at ${announced}`);
          this.check(this.announcementRead[channel]!.has(s.id), () => `channel ${channel} settled for ${s.id} before its announcement was read`);
        } else {
          this.check(position === 'end' && this.ended[channel]!, () => `channel ${channel} (no announcement of ${s.id}) settled at ${position}`);
        }
        if (position === 'end') this.coverage.settledEnd++;
        if (event?.kind === 'announcement' && this.snapshots.at(-1)?.id === s.id && this.forwards.length === this.snapshots.length) {
          this.coverage.settledByAnnouncementLater++;
        }
        break;
      }
      case 'forwardBarrier': {
        const last = this.snapshots.at(-1);
        this.check(
          last !== undefined && last.id === action.id && last.unaligned === action.unaligned && this.forwards.length === this.snapshots.length - 1,
          () => `forwardBarrier(${action.id}, ${action.unaligned}) does not follow its snapshot`,
        );
        this.forwards.push({ id: action.id, unaligned: action.unaligned });
        break;
      }
      case 'startAlignmentTimer': {
        this.check(mode === 'aligned-timeout', () => `alignment timer in ${mode} mode`);
        const previous = this.timers.at(-1);
        this.check(previous === undefined || action.id > previous, () => `timer ${action.id} armed after timer ${previous}`);
        this.timers.push(action.id);
        break;
      }
      case 'abortCheckpoint': {
        const newer = event?.kind === 'barrier' || event?.kind === 'announcement' ? event.id : undefined;
        this.check(newer !== undefined && action.id < newer, () => `abortCheckpoint(${action.id}) on ${JSON.stringify(event)}`);
        this.check(!this.subsumed.has(action.id), () => `checkpoint ${action.id} aborted twice`);
        this.subsumed.add(action.id);
        const snap = this.current;
        if (snap?.id === action.id) snap.aborted = true;
        this.coverage.subsumed++;
        break;
      }
    }
  }

  private apply(event: Event): void {
    this.event = event;
    this.trace.push(JSON.stringify(event));
    const h = this.h;
    const before = h.state.name;
    switch (event.kind) {
      case 'barrier':
        h.barrier(event.channel, event.id);
        break;
      case 'announcement':
        h.announce(event.channel, event.id, this.announcedAt[event.channel]!.get(event.id)!, event.unaligned);
        break;
      case 'timeout':
        h.timeout(event.id);
        break;
      case 'abort': {
        if (before !== WAITING && h.book.currentId === event.id) {
          this.abortedByEvent.add(event.id);
          const snap = this.current;
          if (snap?.id === event.id) snap.aborted = true;
          this.coverage.abortsTaken++;
        }
        h.abort(event.id);
        break;
      }
      case 'end':
        if (before !== WAITING) this.coverage.endedDuringCheckpoint++;
        h.end(event.channel);
        break;
    }
    this.event = undefined;
    const state = h.state.name;
    this.trace.push(`  => ${state}`);
    this.check(STATES[this.mode].has(state), () => `state ${state} in ${this.mode} mode`);
    if (h.book.currentId > 0) this.begun.add(h.book.currentId);
    if (state === WAITING) {
      this.check(this.blocked.size === 0, () => `waiting with channels ${[...this.blocked].join(', ')} blocked`);
      const snap = this.current;
      if (snap !== undefined) this.checkSettled(snap);
    }
  }

  /** Every channel of an unaligned snapshot that was not blocked behind its barrier is settled. */
  private checkSettled(snap: UnalignedSnapshot): void {
    for (let c = 0; c < this.channels; c++) {
      this.check(snap.blockedAtSnapshot.has(c) || snap.settled.has(c), () => `snapshot ${snap.id} done while channel ${c} is not settled`);
    }
  }

  /** The lanes that can be read now. */
  private readable(): Array<{ channel: number; lane: 'priority' | 'in-band' }> {
    const lanes: Array<{ channel: number; lane: 'priority' | 'in-band' }> = [];
    for (let c = 0; c < this.channels; c++) {
      if (this.priority[c]!.length > 0) lanes.push({ channel: c, lane: 'priority' });
      const next = this.inBand[c]![0];
      if (next === undefined || this.blocked.has(c)) continue;
      const pending = this.priority[c]![0];
      if (pending !== undefined && pending.position <= next.start) continue; // its announcement comes first
      lanes.push({ channel: c, lane: 'in-band' });
    }
    return lanes;
  }

  private deliver(lane: { channel: number; lane: 'priority' | 'in-band' }): void {
    const c = lane.channel;
    if (lane.lane === 'priority') {
      const a = this.priority[c]!.shift()!;
      this.announcementRead[c]!.add(a.id);
      this.apply({ kind: 'announcement', channel: c, id: a.id, unaligned: a.unaligned });
      return;
    }
    const item = this.inBand[c]!.shift()!;
    this.trace.push(`read ${item.kind === 'barrier' ? `barrier ${item.id}` : item.kind} at ${item.start} on channel ${c}`);
    if (EXACTLY_ONCE.has(this.mode)) {
      // The position rule: never read past P_c of a checkpoint neither snapshotted nor abandoned.
      for (const [id, position] of this.announcedAt[c]!) {
        if (position > item.start || (item.kind === 'barrier' && item.id === id)) continue;
        const settled = this.snapshotted(id) || this.subsumed.has(id) || this.abortedByEvent.has(id) || this.h.book.currentId > id;
        this.check(settled, () => `read ${item.kind} at ${item.start} on channel ${c}, past P=${position} of checkpoint ${id}, not snapshotted`);
      }
    }
    switch (item.kind) {
      case 'record':
        break;
      case 'barrier':
        this.barrierRead[c]!.add(item.id);
        if (this.snapshots.some((s) => s.id === item.id && s.unaligned)) this.coverage.staleInBandAfterSwitch++;
        this.apply({ kind: 'barrier', channel: c, id: item.id });
        break;
      case 'end':
        this.ended[c] = true;
        this.apply({ kind: 'end', channel: c });
        break;
    }
  }

  run(choices: readonly Choice[]): void {
    for (const choice of choices) {
      if (choice.kind === 'deliver') {
        const lanes = this.readable();
        if (lanes.length > 0) this.deliver(lanes[choice.pick % lanes.length]!);
      } else {
        this.apply(choice);
      }
    }
    // Deliver the rest; if nothing can move while a checkpoint is pending, the coordinator aborts it.
    for (let guard = 0; guard < 10_000; guard++) {
      const lanes = this.readable();
      if (lanes.length > 0) {
        this.deliver(lanes[0]!);
      } else if (this.h.state.name !== WAITING) {
        this.stalled = true;
        this.coverage.stalls++;
        this.apply({ kind: 'abort', id: this.h.book.currentId });
      } else {
        break;
      }
    }
    this.finish();
  }

  private finish(): void {
    for (let c = 0; c < this.channels; c++) {
      this.check(this.inBand[c]!.length === 0 && this.priority[c]!.length === 0, () => `channel ${c} not fully read`);
    }
    this.check(this.h.state.name === WAITING, () => `ended in ${this.h.state.name}`);
    this.check(this.blocked.size === 0, () => `ended with channels blocked`);
    this.check(this.skips || !this.stalled, () => `stalled although every producer sent every checkpoint`);
    this.check(this.forwards.length === this.snapshots.length, () => `a snapshot was not forwarded`);
    for (const id of this.begun) {
      const count = this.snapshots.filter((s) => s.id === id).length;
      const aborted = this.subsumed.has(id) || this.abortedByEvent.has(id);
      this.check(count <= 1, () => `checkpoint ${id} snapshotted ${count} times`);
      this.check(aborted || count === 1, () => `checkpoint ${id} started, not aborted, yet snapshotted ${count} times`);
    }
    for (const s of this.snapshots) this.check(this.begun.has(s.id), () => `snapshot of ${s.id}, never started`);
    for (const snap of this.unalignedSnapshots) if (!snap.aborted) this.checkSettled(snap);
    if (this.mode === 'aligned-timeout') {
      this.check(
        JSON.stringify(this.timers) === JSON.stringify([...this.begun].sort((a, b) => a - b)),
        () => `timers ${this.timers.join(',')} for checkpoints ${[...this.begun].join(',')}`,
      );
    }
    this.coverage.runs++;
  }
}

describe('barrier handler properties (every mode)', () => {
  it.each(CHECKPOINT_MODES)('%s: random interleavings of N producers keep the handler\'s invariants', (mode) => {
    const coverage = newCoverage();
    fc.assert(
      fc.property(scenarioArbitrary(mode), (scenario) => {
        new Run(mode, scenario, coverage).run(scenario.choices);
      }),
      { numRuns: 400 },
    );
    expect(coverage.runs).toBeGreaterThan(0);
    expect(coverage.subsumed).toBeGreaterThan(0);
    expect(coverage.abortsTaken).toBeGreaterThan(0);
    expect(coverage.endedDuringCheckpoint).toBeGreaterThan(0);
    expect(coverage.stalls).toBeGreaterThan(0);
    switch (mode) {
      case 'aligned':
      case 'at-least-once':
        expect(coverage.alignedSnapshots).toBeGreaterThan(0);
        expect(coverage.unalignedSnapshots).toBe(0);
        expect(coverage.blocked > 0).toBe(mode === 'aligned');
        break;
      case 'unaligned':
        expect(coverage.unalignedSnapshots).toBeGreaterThan(0);
        expect(coverage.settledByAnnouncementLater).toBeGreaterThan(0);
        expect(coverage.settledEnd).toBeGreaterThan(0);
        expect(coverage.alignedSnapshots).toBe(0);
        break;
      case 'aligned-timeout':
        expect(coverage.alignedSnapshots).toBeGreaterThan(0);
        expect(coverage.switchedOnTimeout).toBeGreaterThan(0);
        expect(coverage.switchedOnAnnouncement).toBeGreaterThan(0);
        expect(coverage.settledByAnnouncementLater).toBeGreaterThan(0);
        expect(coverage.settledEnd).toBeGreaterThan(0);
        expect(coverage.noStateForBlocked).toBeGreaterThan(0);
        expect(coverage.staleInBandAfterSwitch).toBeGreaterThan(0);
        break;
    }
  });
});
