/**
 * A barrier handler under test: the bookkeeping, the current state, and a recording fake of
 * BarrierHandlerActions that logs every call in order. Each event method applies one event,
 * keeps the returned state, and answers the actions that event caused (formatted as calls,
 * e.g. `takeSnapshot(1, false)`) and the name of the state after it.
 */
import { BarrierHandlerDriver } from '../../../src/checkpoint/barrier-driver.js';
import type { BarrierBookkeeping, BarrierHandlerActions, BarrierHandlerState } from '../../../src/checkpoint/barrier-handler.js';
import type { CheckpointMode } from '../../../src/checkpoint/checkpoint-mode.js';

export type Action =
  | { kind: 'blockChannel'; channel: number }
  | { kind: 'unblockChannels' }
  | { kind: 'takeSnapshot'; id: number; unaligned: boolean }
  | { kind: 'channelStateEndsAt'; channel: number; position: number | 'end' }
  | { kind: 'forwardBarrier'; id: number; unaligned: boolean }
  | { kind: 'startAlignmentTimer'; id: number }
  | { kind: 'abortCheckpoint'; id: number; reason: string };

/** An action as the call that made it (the abort reason is left out: see {@link Harness.abortReasons}). */
export function formatAction(action: Action): string {
  switch (action.kind) {
    case 'blockChannel':
      return `blockChannel(${action.channel})`;
    case 'unblockChannels':
      return 'unblockChannels()';
    case 'takeSnapshot':
      return `takeSnapshot(${action.id}, ${action.unaligned})`;
    case 'channelStateEndsAt':
      return `channelStateEndsAt(${action.channel}, ${action.position})`;
    case 'forwardBarrier':
      return `forwardBarrier(${action.id}, ${action.unaligned})`;
    case 'startAlignmentTimer':
      return `startAlignmentTimer(${action.id})`;
    case 'abortCheckpoint':
      return `abortCheckpoint(${action.id})`;
  }
}

/** Records every call; `listener` (if set) sees each call as it happens. */
export class RecordingActions implements BarrierHandlerActions {
  readonly log: Action[] = [];
  listener: ((action: Action) => void) | undefined;

  private record(action: Action): void {
    this.log.push(action);
    this.listener?.(action);
  }

  blockChannel(channel: number): void {
    this.record({ kind: 'blockChannel', channel });
  }
  unblockChannels(): void {
    this.record({ kind: 'unblockChannels' });
  }
  takeSnapshot(checkpointId: number, unaligned: boolean): void {
    this.record({ kind: 'takeSnapshot', id: checkpointId, unaligned });
  }
  channelStateEndsAt(channel: number, position: number | 'end'): void {
    this.record({ kind: 'channelStateEndsAt', channel, position });
  }
  forwardBarrier(checkpointId: number, unaligned: boolean): void {
    this.record({ kind: 'forwardBarrier', id: checkpointId, unaligned });
  }
  startAlignmentTimer(checkpointId: number): void {
    this.record({ kind: 'startAlignmentTimer', id: checkpointId });
  }
  abortCheckpoint(checkpointId: number, reason: string): void {
    this.record({ kind: 'abortCheckpoint', id: checkpointId, reason });
  }
}

/** What one event did: the actions it caused, in order, and the state it left the handler in. */
export interface Step {
  actions: string[];
  state: string;
}

/** Shorthand for an expected {@link Step}. */
export function step(state: string, ...actions: string[]): Step {
  return { actions, state };
}

export const WAITING = 'waiting-for-barrier';
export const ALIGNED = 'collecting-aligned';
export const ALIGNED_TIMEOUT = 'collecting-aligned-timeout';
export const UNALIGNED_BARRIERS = 'collecting-unaligned-barriers';
export const CHANNEL_STATE = 'collecting-channel-state';
export const AT_LEAST_ONCE = 'collecting-at-least-once';

export class Harness {
  readonly actions = new RecordingActions();
  readonly driver: BarrierHandlerDriver;
  private seen = 0;

  constructor(channelCount: number, mode: CheckpointMode) {
    this.driver = new BarrierHandlerDriver(channelCount, mode, this.actions);
  }

  get book(): BarrierBookkeeping {
    return this.driver.book;
  }

  get state(): BarrierHandlerState {
    return this.driver.state;
  }

  barrier(channel: number, checkpointId: number): Step {
    return this.apply(() => this.driver.barrierReceived(channel, checkpointId));
  }

  announce(channel: number, checkpointId: number, position: number, unaligned = false): Step {
    return this.apply(() => this.driver.announcementReceived(channel, checkpointId, position, unaligned));
  }

  timeout(checkpointId: number): Step {
    return this.apply(() => this.driver.alignmentTimeout(checkpointId));
  }

  end(channel: number): Step {
    return this.apply(() => this.driver.endOfPartition(channel));
  }

  abort(checkpointId: number): Step {
    return this.apply(() => this.driver.abort(checkpointId));
  }

  /** The reasons of every abortCheckpoint call so far, in order. */
  abortReasons(): string[] {
    return this.actions.log.flatMap((a) => (a.kind === 'abortCheckpoint' ? [a.reason] : []));
  }

  private apply(event: () => void): Step {
    try {
      event();
      return { actions: this.actions.log.slice(this.seen).map(formatAction), state: this.driver.state.name };
    } finally {
      this.seen = this.actions.log.length;
    }
  }
}
