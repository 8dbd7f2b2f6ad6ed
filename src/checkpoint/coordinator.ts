import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { CheckpointFile, CheckpointSegment, CheckpointStorage, EncodedSnapshot, IoPool } from '../storage/index.js';
import { checkpointMetadata, commitCheckpointMetadata, mergedFileName, ownFileEntries } from '../storage/index.js';
import type { SubtaskMessage } from '../runtime/deployment.js';
import { nowNanos } from '../runtime/record-context.js';
import { SluiceError } from '../errors/sluice-error.js';
import type { CheckpointConfig } from './checkpoint-config.js';
import type { CheckpointStatistics, SubtaskCheckpointStatistics } from './checkpoint-stats.js';

/** A subtask as the coordinator addresses it. */
export interface CoordinatedSubtask {
  /** The chain's name (its operators' names joined by ' -> '). */
  readonly operator: string;
  /** The uids of the chain's operators, head first: snapshot files are named by the head's. */
  readonly uids: readonly string[];
  readonly subtaskIndex: number;
  readonly parallelism: number;
  readonly isSource: boolean;
}

/**
 * More checkpoints failed in a row than tolerated: the job's attempt fails, and the restart
 * strategy decides whether it restarts from its latest completed checkpoint (as in Flink).
 */
export class CheckpointFailuresExceededError extends SluiceError {
  constructor(failures: number, tolerable: number, last: string) {
    super(
      'SLUICE_CHECKPOINT_FAILURES',
      `${failures} checkpoints failed in a row, more than the ${tolerable} tolerated (checkpoints.tolerableFailures); the last: ${last}`,
    );
  }
}

/**
 * Snapshots at least this large (raw) get a file of their own, written and fsynced as soon as they
 * arrive; smaller ones wait in memory for their merged file (one fsync for many). Measured here
 * (docs/performance.md): an fsync costs about 0.5 ms on top of the bytes (1 GB/s), so past a few
 * MiB a file of its own costs little more, and it is written while other subtasks still snapshot
 * (16 MiB of state and 2.9 MB of small snapshots: 18-30 ms after the last acknowledgement when
 * the state's file was started 5 ms earlier, 31-57 ms in one merged file) instead of waiting on
 * the main thread.
 */
export const OWN_FILE_MIN_BYTES = 4 << 20;

/**
 * Most merged files per checkpoint. Subtask i's small snapshots go into merged file i mod this
 * (at most the highest parallelism): a slot's subtasks share a thread and acknowledge at about the
 * same time, so a file is written and fsynced as soon as its subtasks have all acknowledged, while
 * the other slots still snapshot; the fsyncs of a few files also run side by side. Measured here
 * (`sluice bench --micro`, docs/performance.md): 24 snapshots of 120 KB took 5.1 ms as 24 fsynced
 * files side by side, 3.0 ms in one merged file, 2.4 ms in four.
 */
export const MAX_MERGED_FILES = 4;

/** A merged file of a checkpoint once written: its entry, its segments, and how long writing it took. */
interface WrittenMergedFile {
  readonly file: CheckpointFile | undefined;
  readonly segments: readonly CheckpointSegment[];
  /** Milliseconds its write and fsync took. */
  readonly writeMs: number;
}

/** A snapshot of an acknowledgement, encoded for the merged file or already in a file of its own. */
type AcknowledgedSegment =
  | { readonly kind: 'merged'; readonly name: string; readonly encoded: EncodedSnapshot }
  | { readonly kind: 'own-file'; readonly name: string; readonly bytes: number; readonly rawBytes: number; readonly sha256: string };

interface Acknowledgement {
  /** The subtask's statistics as it sent them, without the asynchronous phase's. */
  readonly stats: Omit<SubtaskCheckpointStatistics, 'asyncDurationMs' | 'checkpointedBytes' | 'rawBytes'>;
  /** When the main thread received it (performance.now()). */
  readonly received: number;
  /** When its last file of its own was written, or its last segment encoded (performance.now()). */
  readonly encoded: number;
  readonly segments: readonly AcknowledgedSegment[];
  readonly state?: string;
  readonly channels?: string;
}

interface PendingCheckpoint {
  readonly id: number;
  readonly triggerTimestamp: number;
  readonly triggerNanos: number;
  readonly prepared: Promise<string>;
  readonly acknowledgements: Map<number, Promise<Acknowledgement>>;
  /** Acknowledgements whose segments are ready, by subtask. */
  readonly ready: Map<number, Acknowledgement>;
  /** Merged files being written or written, by index. */
  readonly mergedFiles: Map<number, Promise<WrittenMergedFile>>;
  readonly timer: NodeJS.Timeout;
  /** A user-named directory for a savepoint; undefined for a periodic checkpoint. */
  readonly savepointDir?: string;
  readonly done: (result: CheckpointStatistics | Error) => void;
  /**
   * Every subtask acknowledged: its files and metadata are being written. Only a failure of that
   * writing aborts it now; a timeout, a finished subtask or the attempt's end do not, or its
   * `_metadata` could land after it was recorded as failed (a completed checkpoint on disk that
   * retention never counts and discard() refuses to remove).
   */
  finishing: boolean;
}

/** What the coordinator needs from the job manager. */
export interface CoordinatorHooks {
  /** Sends a control message to every running subtask; false when a subtask's control ring was full. */
  broadcast(message: { type: 'trigger-checkpoint'; checkpointId: number; triggerNanos: number } | { type: 'checkpoint-complete' | 'checkpoint-aborted'; checkpointId: number }): boolean;
  /** Too many checkpoints failed. */
  fail(error: Error): void;
  /** A checkpoint completed or failed: its statistics, as soon as they are known. */
  recorded(statistics: CheckpointStatistics): void;
}

/**
 * The checkpoint coordinator (main thread): triggers checkpoints at the sources on a timer,
 * runs each acknowledgement's asynchronous phase on the I/O pool, commits `_metadata` when
 * every subtask acknowledged, then notifies subtasks; aborts what times out or is declined.
 */
export class CheckpointCoordinator {
  readonly #config: CheckpointConfig;
  readonly #storage: CheckpointStorage;
  readonly #io: IoPool;
  readonly #subtasks: readonly CoordinatedSubtask[];
  readonly #hooks: CoordinatorHooks;
  readonly #job: string;
  readonly #pending = new Map<number, PendingCheckpoint>();
  readonly #history: CheckpointStatistics[] = [];
  #nextId: number;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  #lastCompletedAt = 0;
  #failures = 0;
  #latestCompleted: number | undefined;
  /** Subtasks that finished: checkpoints go on without them (their channels have ended). */
  readonly #finished = new Set<number>();
  /** Writes and commits still running: stop() waits for them. */
  readonly #work = new Set<Promise<unknown>>();
  /** How many merged files a checkpoint of this job has at most (see {@link MAX_MERGED_FILES}). */
  readonly #mergedFileCount: number;

  constructor(
    config: CheckpointConfig,
    storage: CheckpointStorage,
    io: IoPool,
    subtasks: readonly CoordinatedSubtask[],
    hooks: CoordinatorHooks,
    job: string,
    firstCheckpointId: number,
  ) {
    this.#config = config;
    this.#storage = storage;
    this.#io = io;
    this.#subtasks = subtasks;
    this.#hooks = hooks;
    this.#job = job;
    this.#nextId = firstCheckpointId;
    this.#mergedFileCount = Math.min(MAX_MERGED_FILES, Math.max(1, ...subtasks.map((subtask) => subtask.parallelism)));
  }

  /** Statistics of every checkpoint that completed or failed, in trigger order. */
  get history(): readonly CheckpointStatistics[] {
    return this.#history;
  }

  /** The id of the latest completed checkpoint of this attempt. */
  get latestCompleted(): number | undefined {
    return this.#latestCompleted;
  }

  /** The id the next checkpoint will get. */
  get nextCheckpointId(): number {
    return this.#nextId;
  }

  /** Starts periodic triggering. */
  start(): void {
    this.#schedule(this.#config.intervalMs);
  }

  /** Triggers a savepoint into `dir` now (outside the periodic schedule). */
  triggerSavepoint(dir: string): Promise<CheckpointStatistics> {
    return new Promise((resolve, reject) => {
      this.#trigger(path.resolve(dir), (result) => (result instanceof Error ? reject(result) : resolve(result)));
    });
  }

  /** A subtask reported a checkpoint message. */
  onMessage(subtask: number, message: Exclude<SubtaskMessage, { type: 'running' | 'ended' }>): void {
    const pending = this.#pending.get(message.checkpointId);
    if (!pending) return; // aborted or unknown: its bytes are dropped
    if (message.type === 'decline') {
      this.#abort(pending, `subtask ${this.#describe(subtask)} declined: ${message.reason}`, true);
      return;
    }
    const { operator, uids, subtaskIndex } = this.#subtasks[subtask]!;
    const uid = uids[0]!;
    const received = performance.now();
    const store = async (kind: 'state' | 'channels', bytes: Uint8Array): Promise<AcknowledgedSegment> => {
      const name = path.basename(this.#storage.snapshotFilePath(pending.id, uid, subtaskIndex, kind));
      // State is compressed; in-flight data is written as is, because an unaligned checkpoint's
      // duration grows with the time it takes to persist it (Flink writes it raw too).
      const options = { level: this.#config.compressionLevel, store: kind === 'channels' };
      if (bytes.byteLength < OWN_FILE_MIN_BYTES) return { kind: 'merged', name, encoded: await this.#io.encodeSnapshot({ bytes, ...options }) };
      const dir = await pending.prepared;
      const info = await this.#io.writeSnapshotFile({ path: path.join(dir, name), bytes, ...options });
      return { kind: 'own-file', name, ...info };
    };
    const acknowledgement = (async (): Promise<Acknowledgement> => {
      const segments = await Promise.all([store('state', message.state), ...(message.channels ? [store('channels', message.channels)] : [])]);
      return {
        segments,
        state: segments[0]!.name,
        channels: segments[1]?.name,
        received,
        encoded: performance.now(),
        stats: { operator, subtaskIndex, ...message.stats },
      };
    })();
    acknowledgement.then(
      (ready) => {
        pending.ready.set(subtask, ready);
        this.#writeMergedFileIfReady(pending, this.#mergedFileOf(subtask));
      },
      () => {}, // observed in #complete
    );
    pending.acknowledgements.set(subtask, acknowledgement);
    this.#completeIfAcknowledged(pending);
  }

  /**
   * Subtask `subtask` finished: it emitted everything and ended its outputs, so its consumers count
   * its channels as ended, and checkpoints complete without it (Flink's checkpoints after tasks
   * finish). A checkpoint records it as finished, and a restore does not run it again. Once every
   * source has finished, no checkpoint is triggered any more: the rest of the job drains its input.
   */
  subtaskFinished(subtask: number): void {
    // Checkpoints go on while any subtask runs: once the sources have finished, a subtask whose
    // every input ended takes the trigger itself (see Subtask's pending trigger).
    this.#finished.add(subtask);
    if (this.#finished.size === this.#subtasks.length) {
      this.#stopped = true;
      clearTimeout(this.#timer);
    }
    for (const pending of [...this.#pending.values()]) this.#completeIfAcknowledged(pending);
  }

  #completeIfAcknowledged(pending: PendingCheckpoint): void {
    if (pending.finishing || this.#pending.get(pending.id) !== pending) return;
    const complete = this.#subtasks.every((_, index) => pending.acknowledgements.has(index) || this.#finished.has(index));
    if (!complete) return;
    if (pending.acknowledgements.size === 0) return this.#drop(pending);
    pending.finishing = true;
    this.#track(this.#complete(pending));
  }

  /**
   * A checkpoint that every subtask finished before taking holds nothing: it is not a checkpoint
   * (no statistics, no event, no `_metadata` to crowd a useful one out of retention), only its id
   * is used up. A savepoint's caller learns that the job finished first.
   */
  #drop(pending: PendingCheckpoint): void {
    clearTimeout(pending.timer);
    this.#pending.delete(pending.id);
    pending.done(new SluiceError('SLUICE_CHECKPOINT_ABORTED', `checkpoint ${pending.id} was not taken: every subtask had finished before it`));
    if (!pending.savepointDir) this.#track(Promise.allSettled([pending.prepared]).then(() => this.#storage.discard(pending.id)).catch(() => {}));
  }

  /**
   * Stops triggering and aborts what is in progress (its files are removed), then waits for
   * writes and commits already running. Idempotent.
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    for (const pending of [...this.#pending.values()]) this.#abort(pending, 'the job attempt ended', false);
    while (this.#work.size > 0) await Promise.allSettled([...this.#work]);
  }

  /** Stops triggering new checkpoints (a subtask finished: the remaining ones could not all acknowledge). */
  stopTriggering(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    for (const pending of [...this.#pending.values()]) {
      if (!pending.savepointDir) this.#abort(pending, 'a subtask finished before acknowledging', false);
    }
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#onTimer(), Math.max(0, delayMs));
    this.#timer.unref();
  }

  #onTimer(): void {
    if (this.#stopped) return;
    // A savepoint in progress counts too: an unaligned subtask declines a checkpoint when the
    // next one's barrier arrives before it completed, so a periodic trigger would abort it.
    const inProgress = this.#pending.size;
    const sincePause = performance.now() - this.#lastCompletedAt;
    if (inProgress >= this.#config.maxConcurrent) return this.#schedule(this.#config.intervalMs);
    if (sincePause < this.#config.minPauseMs) return this.#schedule(this.#config.minPauseMs - sincePause);
    this.#trigger(undefined, () => {});
    this.#schedule(this.#config.intervalMs);
  }

  #trigger(savepointDir: string | undefined, done: (result: CheckpointStatistics | Error) => void): void {
    const id = this.#nextId++;
    const prepared = savepointDir
      ? mkdir(savepointDir, { recursive: true }).then(() => savepointDir)
      : this.#storage.prepare(id);
    const pending: PendingCheckpoint = {
      id,
      triggerTimestamp: Date.now(),
      triggerNanos: nowNanos(),
      prepared,
      acknowledgements: new Map(),
      ready: new Map(),
      mergedFiles: new Map(),
      timer: setTimeout(() => this.#abort(pending, `timed out after ${this.#config.timeoutMs} ms (checkpoints.timeoutMs)`, true), this.#config.timeoutMs),
      savepointDir,
      done,
      finishing: false,
    };
    pending.timer.unref();
    pending.prepared.catch(() => {});
    this.#pending.set(id, pending);
    if (!this.#hooks.broadcast({ type: 'trigger-checkpoint', checkpointId: id, triggerNanos: pending.triggerNanos })) {
      this.#abort(pending, 'a subtask is not taking control messages (its control ring is full)', true);
    }
  }

  async #complete(pending: PendingCheckpoint): Promise<void> {
    let acknowledgements: Array<Acknowledgement | undefined>;
    try {
      // A subtask that finished without acknowledging has no files: it is recorded as finished.
      acknowledgements = await Promise.all(this.#subtasks.map((_, index) => pending.acknowledgements.get(index)));
    } catch (error) {
      pending.finishing = false;
      this.#abort(pending, `its asynchronous phase failed: ${error instanceof Error ? error.message : String(error)}`, true);
      return;
    }
    if (this.#pending.get(pending.id) !== pending) return;
    const acknowledged = acknowledgements.filter((ack): ack is Acknowledgement => ack !== undefined);
    let statisticsOfCompleted: CheckpointStatistics;
    try {
      const dir = await pending.prepared;
      // Merged files whose subtasks acknowledged earlier are written already; the rest now (a finished subtask never acknowledges).
      for (let index = 0; index < this.#mergedFileCount; index++) this.#writeMergedFileIfReady(pending, index, acknowledgements);
      const written = await Promise.all([...pending.mergedFiles.entries()].sort(([a], [b]) => a - b).map(([, file]) => file));
      const files: CheckpointFile[] = [];
      const segments: CheckpointSegment[] = [];
      for (const ack of acknowledged) {
        for (const segment of ack.segments) {
          if (segment.kind !== 'own-file') continue;
          const entries = ownFileEntries(segment.name, segment);
          files.push(entries.file);
          segments.push(entries.segment);
        }
      }
      for (const merged of written) {
        if (merged.file) files.push(merged.file);
        segments.push(...merged.segments);
      }
      const completedTimestamp = Date.now();
      const segmentOf = new Map(segments.map((segment) => [segment.name, segment]));
      const subtaskStatistics = acknowledgements.flatMap((ack, subtask): SubtaskCheckpointStatistics[] => {
        if (ack === undefined) return [];
        const own = ack.segments.map((segment) => segmentOf.get(segment.name)!);
        const merged = ack.segments.some((segment) => segment.kind === 'merged');
        const writeMs = written[this.#mergedFileOf(subtask)]?.writeMs ?? 0;
        return [{
          ...ack.stats,
          // Its own asynchronous work: compressing, hashing, writing and fsyncing its bytes. For a
          // merged segment, the write and fsync of its file, not the wait for the file's other subtasks.
          asyncDurationMs: ack.encoded - ack.received + (merged ? writeMs : 0),
          checkpointedBytes: own.reduce((sum, segment) => sum + segment.bytes, 0),
          rawBytes: own.reduce((sum, segment) => sum + segment.rawBytes, 0),
        }];
      });
      const statistics = {
        ...this.#statistics(pending, 'completed', subtaskStatistics),
        acknowledgedSubtasks: this.#subtasks.length,
        finishedSubtasks: this.#subtasks.length - acknowledged.length,
      };
      const statsOf = new Map(acknowledged.map((ack, i) => [ack, subtaskStatistics[i]!]));
      const metadata = checkpointMetadata({
        job: this.#job,
        checkpointId: pending.id,
        kind: pending.savepointDir ? 'savepoint' : 'checkpoint',
        mode: this.#config.mode,
        triggerTimestamp: pending.triggerTimestamp,
        completedTimestamp,
        files,
        segments,
        subtasks: acknowledgements.map((ack, index) => {
          const { operator, uids, subtaskIndex, parallelism } = this.#subtasks[index]!;
          if (ack === undefined) return { operator, uids, subtaskIndex, parallelism, finished: true, stats: {} };
          // Per-channel figures stay in the statistics (events, history): _metadata keeps scalars.
          const { operator: _operator, subtaskIndex: _index, inputChannels: _channels, ...stats } = statsOf.get(ack)!;
          return { operator, uids, subtaskIndex, parallelism, state: ack.state, channels: ack.channels, stats };
        }),
        stats: statistics,
      });
      if (pending.savepointDir) {
        await commitCheckpointMetadata(dir, metadata);
      } else {
        await this.#storage.commit(metadata);
      }
      statisticsOfCompleted = statistics;
    } catch (error) {
      pending.finishing = false;
      this.#abort(pending, `writing its merged file or committing its metadata failed: ${error instanceof Error ? error.message : String(error)}`, true);
      return;
    }
    const statistics = statisticsOfCompleted;
    if (this.#pending.get(pending.id) !== pending) return;
    clearTimeout(pending.timer);
    this.#pending.delete(pending.id);
    this.#history.push(statistics);
    this.#hooks.recorded(statistics);
    this.#lastCompletedAt = performance.now();
    // Tolerable failures count consecutive failures: a completed checkpoint resets the count.
    this.#failures = 0;
    if (!pending.savepointDir) {
      this.#latestCompleted = Math.max(this.#latestCompleted ?? 0, pending.id);
      this.#track(this.#storage.retain(this.#config.retain).catch(() => {}));
    }
    this.#hooks.broadcast({ type: 'checkpoint-complete', checkpointId: pending.id });
    pending.done(statistics);
  }

  /** The merged file that takes subtask `subtask`'s small snapshots. */
  #mergedFileOf(subtask: number): number {
    return this.#subtasks[subtask]!.subtaskIndex % this.#mergedFileCount;
  }

  /**
   * Starts writing merged file `index` of `pending` once every subtask that goes into it has
   * acknowledged with its segments ready; given `all` (every subtask's acknowledgement, undefined
   * for one that finished without), starts it with those. Does nothing if it was started already
   * or the checkpoint ended.
   */
  #writeMergedFileIfReady(pending: PendingCheckpoint, index: number, all?: ReadonlyArray<Acknowledgement | undefined>): void {
    if (pending.mergedFiles.has(index) || this.#pending.get(pending.id) !== pending) return;
    const members: Acknowledgement[] = [];
    for (let subtask = 0; subtask < this.#subtasks.length; subtask++) {
      if (this.#mergedFileOf(subtask) !== index) continue;
      const ready = all ? all[subtask] : pending.ready.get(subtask);
      if (ready) members.push(ready);
      else if (!all) return;
    }
    const written = pending.prepared.then((dir) => this.#writeMergedFile(dir, index, members));
    written.catch(() => {}); // observed in #complete
    pending.mergedFiles.set(index, written);
  }

  /**
   * Writes the segments of `acknowledged` that wait for a merged file into `merged-<index>.seg` of
   * `dir`, back to back in subtask order, with one fsync (no file when every segment has a file of
   * its own). Resolves to the file's entry and segments as `_metadata` lists them.
   */
  async #writeMergedFile(dir: string, index: number, acknowledged: readonly Acknowledgement[]): Promise<WrittenMergedFile> {
    const segments: CheckpointSegment[] = [];
    const parts: Uint8Array[] = [];
    const name = mergedFileName(index);
    let offset = 0;
    for (const ack of acknowledged) {
      for (const segment of ack.segments) {
        if (segment.kind !== 'merged') continue;
        const { data, bytes, rawBytes, sha256 } = segment.encoded;
        segments.push({ name: segment.name, file: name, offset, bytes, rawBytes, sha256 });
        parts.push(data);
        offset += bytes;
      }
    }
    if (parts.length === 0) return { file: undefined, segments, writeMs: 0 };
    const started = performance.now();
    const written = await this.#io.writeMergedFile(path.join(dir, name), parts);
    if (written !== offset) throw new Error(`wrote ${written} bytes to ${path.join(dir, name)}, its segments add up to ${offset}`);
    return { file: { name, bytes: offset }, segments, writeMs: performance.now() - started };
  }

  #abort(pending: PendingCheckpoint, reason: string, countsAsFailure: boolean): void {
    if (this.#pending.get(pending.id) !== pending || pending.finishing) return;
    clearTimeout(pending.timer);
    this.#pending.delete(pending.id);
    this.#hooks.broadcast({ type: 'checkpoint-aborted', checkpointId: pending.id });
    const acknowledged = [...pending.acknowledgements.values()];
    const merging = [...pending.mergedFiles.values()];
    const statistics = { ...this.#statistics(pending, 'failed', []), acknowledgedSubtasks: acknowledged.length, failureReason: reason };
    this.#history.push(statistics);
    this.#hooks.recorded(statistics);
    const error = new SluiceError('SLUICE_CHECKPOINT_ABORTED', `checkpoint ${pending.id} was aborted: ${reason}`);
    pending.done(error);
    // Remove its files once every write that was started has settled.
    if (!pending.savepointDir) {
      // Also after its directory was made: removed before, it would be made again and left behind.
      this.#track(Promise.allSettled([pending.prepared, ...acknowledged, ...merging]).then(() => this.#storage.discard(pending.id)).catch(() => {}));
    }
    if (countsAsFailure && ++this.#failures > this.#config.tolerableFailures) {
      this.#hooks.fail(new CheckpointFailuresExceededError(this.#failures, this.#config.tolerableFailures, error.message));
    }
  }

  /** A checkpoint's statistics: its subtasks' figures summed (none for a failed one). */
  #statistics(
    pending: PendingCheckpoint,
    status: CheckpointStatistics['status'],
    subtasks: readonly SubtaskCheckpointStatistics[],
  ): CheckpointStatistics {
    const sum = (key: 'checkpointedBytes' | 'rawBytes' | 'processedInFlightBytes' | 'persistedInFlightBytes') =>
      subtasks.reduce((total, stats) => total + stats[key], 0);
    return {
      id: pending.id,
      kind: pending.savepointDir ? 'savepoint' : 'checkpoint',
      mode: this.#config.mode,
      status,
      triggerTimestamp: pending.triggerTimestamp,
      endToEndDurationMs: (nowNanos() - pending.triggerNanos) / 1e6,
      acknowledgedSubtasks: subtasks.length,
      finishedSubtasks: 0,
      totalSubtasks: this.#subtasks.length,
      checkpointedBytes: sum('checkpointedBytes'),
      rawBytes: sum('rawBytes'),
      processedInFlightBytes: sum('processedInFlightBytes'),
      persistedInFlightBytes: sum('persistedInFlightBytes'),
      subtasks,
    };
  }

  #track(work: Promise<unknown>): void {
    this.#work.add(work);
    void work.finally(() => this.#work.delete(work));
  }

  #describe(subtask: number): string {
    const { operator, subtaskIndex, parallelism } = this.#subtasks[subtask]!;
    return `'${operator}' ${subtaskIndex}/${parallelism}`;
  }
}
