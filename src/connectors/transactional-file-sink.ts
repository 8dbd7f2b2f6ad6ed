/**
 * An exactly-once file sink by two-phase commit. Each subtask writes a transaction file
 * `.part-<subtask>-<n>.inprogress` in the output directory. At a checkpoint's barrier it
 * pre-commits: flush, fsync, close, and keep the transaction in its state as pending. When
 * the checkpoint completes it commits: rename to `part-<subtask>-<n>`. A restore commits the
 * pending transactions of the restored checkpoint and discards every other uncommitted file,
 * so the committed files hold each record exactly once, however often the job failed. Part files
 * committed after the restored checkpoint (a restore that fell back past newer checkpoints) are
 * set aside into `.rolled-back-chk-<id>/` by {@link TransactionalFileSink.rollback}.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, existsSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { defineSink } from '../api/functions.js';
import type { SinkContext, SinkFunction } from '../api/functions.js';
import type { SinkSpec } from '../api/specs.js';
import { choiceOption, optionsObject, pathOption } from './option-checks.js';

/** Options of {@link transactionalFileSink}. */
export interface TransactionalFileSinkOptions {
  /** The directory that receives the committed part files. */
  readonly path: string;
  /** `'lines'`: `String(record)`; `'ndjson'`: `JSON.stringify(record)`. One line per record. */
  readonly format: 'lines' | 'ndjson';
}

/** A subtask's checkpointed state: the next transaction number and the pre-committed ones. */
export interface TransactionalFileSinkState {
  readonly next: number;
  readonly pending: ReadonlyArray<{ readonly checkpointId: number; readonly transaction: number }>;
  /**
   * After a restore at another parallelism: the old subtasks this one took over, whose
   * pre-committed transactions it commits and whose other uncommitted files it discards on open.
   */
  readonly inherited?: ReadonlyArray<{ readonly subtask: number; readonly pending: TransactionalFileSinkState['pending'] }>;
}

/** What a subtask's `finish()` returns. */
export interface TransactionalFileSinkResult {
  /** Part files this subtask committed in this attempt. */
  readonly committed: readonly string[];
  /** Records written in this attempt. */
  readonly records: number;
}

const CONNECTOR = 'transactionalFileSink';
const FLUSH_CHARS = 64 * 1024;

/** The name of a committed part file. */
export function committedPartName(subtask: number, transaction: number): string {
  return `part-${subtask}-${transaction}`;
}

function inProgressName(subtask: number, transaction: number): string {
  return `.part-${subtask}-${transaction}.inprogress`;
}

function fsyncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

class TransactionalFileSink implements SinkFunction<unknown, TransactionalFileSinkResult> {
  readonly #dir: string;
  readonly #format: 'lines' | 'ndjson';
  #subtask = 0;
  #next = 0;
  /** The open transaction: its number and file descriptor. */
  #open: { transaction: number; fd: number } | undefined;
  #buffer = '';
  #pending: Array<{ checkpointId: number; transaction: number }> = [];
  readonly #committed: string[] = [];
  #records = 0;

  constructor(options: TransactionalFileSinkOptions) {
    this.#dir = resolve(options.path);
    this.#format = options.format;
  }

  /**
   * Restored at another parallelism: this subtask takes over the old subtasks in `previous`
   * (each old subtask is handed to exactly one new subtask), so it alone commits their
   * pre-committed transactions and discards their other uncommitted files.
   */
  rescaleState(ctx: SinkContext, previous: ReadonlyArray<{ readonly subtask: number; readonly state: unknown }>): TransactionalFileSinkState {
    const inherited = previous.map(({ subtask, state }) => ({ subtask, pending: (state as TransactionalFileSinkState | undefined)?.pending ?? [] }));
    const own = previous.find(({ subtask }) => subtask === ctx.subtaskIndex)?.state as TransactionalFileSinkState | undefined;
    // A subtask index the checkpoint did not have may have committed part files in an earlier
    // run at a higher parallelism: its numbers continue after them, so none is overwritten.
    return { next: own?.next ?? this.#nextFreeTransaction(ctx.subtaskIndex), pending: [], inherited };
  }

  open(ctx: SinkContext, restoredState?: unknown): void {
    this.#subtask = ctx.subtaskIndex;
    mkdirSync(this.#dir, { recursive: true });
    const restored = restoredState as TransactionalFileSinkState | undefined;
    const takenOver = restored?.inherited ?? (restored ? [{ subtask: this.#subtask, pending: restored.pending }] : []);
    // Finish what the restored checkpoint pre-committed: it completed, so its transactions commit.
    for (const { subtask, pending } of takenOver) for (const { transaction } of pending) this.#commit(transaction, subtask);
    this.#next = restored?.next ?? 0;
    // Everything else these subtasks left uncommitted was written after the checkpoint: discard it.
    const subtasks = new Set([this.#subtask, ...takenOver.map(({ subtask }) => subtask)]);
    for (const name of readdirSync(this.#dir)) {
      const match = /^\.part-(\d+)-\d+\.inprogress$/.exec(name);
      if (match && subtasks.has(Number(match[1]))) rmSync(join(this.#dir, name), { force: true });
    }
    fsyncDirectory(this.#dir);
  }

  /** One more than the highest transaction number of a committed part file of subtask index `subtask` (0 if none). */
  #nextFreeTransaction(subtask: number): number {
    let next = 0;
    const prefix = `part-${subtask}-`;
    let names: string[];
    try {
      names = readdirSync(this.#dir);
    } catch {
      return 0; // no directory yet: no part files
    }
    for (const name of names) {
      if (!name.startsWith(prefix)) continue;
      const transaction = Number(name.slice(prefix.length));
      if (Number.isSafeInteger(transaction) && transaction >= next) next = transaction + 1;
    }
    return next;
  }

  /**
   * Restore: every part file of this subtask numbered from the restored state's `next` on was
   * committed by a checkpoint newer than the restored one (or at the end of a run); it is moved
   * to `.rolled-back-chk-<id>/` in the output directory, so the records written again after the
   * restore appear once.
   */
  rollback(ctx: SinkContext, restoredState: unknown, restoredCheckpointId: number): string[] {
    mkdirSync(this.#dir, { recursive: true });
    const next = (restoredState as TransactionalFileSinkState | undefined)?.next ?? 0;
    const part = new RegExp(`^part-${ctx.subtaskIndex}-(0|[1-9][0-9]*)$`);
    const moved: string[] = [];
    const aside = join(this.#dir, `.rolled-back-chk-${restoredCheckpointId}`);
    for (const name of readdirSync(this.#dir)) {
      const match = part.exec(name);
      if (!match || Number(match[1]) < next) continue;
      mkdirSync(aside, { recursive: true });
      renameSync(join(this.#dir, name), join(aside, name));
      moved.push(join(aside, name));
    }
    if (moved.length > 0) fsyncDirectory(this.#dir);
    return moved;
  }

  write(record: unknown): void {
    this.#buffer += (this.#format === 'ndjson' ? JSON.stringify(record) : String(record)) + '\n';
    this.#records++;
    if (this.#buffer.length >= FLUSH_CHARS) this.#flush();
  }

  /** Pre-commit: the open transaction is flushed, fsynced and closed, and kept as pending. */
  snapshotState(checkpointId: number): TransactionalFileSinkState {
    if (this.#buffer.length > 0 || this.#open) {
      this.#flush();
      const { transaction, fd } = this.#open!;
      fsyncSync(fd);
      closeSync(fd);
      this.#open = undefined;
      this.#pending.push({ checkpointId, transaction });
    }
    return { next: this.#next, pending: [...this.#pending] };
  }

  /** Commit: every transaction pre-committed for this checkpoint or an earlier one. */
  notifyCheckpointComplete(checkpointId: number): void {
    const ready = this.#pending.filter((entry) => entry.checkpointId <= checkpointId);
    if (ready.length === 0) return;
    for (const { transaction } of ready) this.#commit(transaction);
    this.#pending = this.#pending.filter((entry) => entry.checkpointId > checkpointId);
    fsyncDirectory(this.#dir);
  }

  /** End of input: the job is done, so everything written commits. */
  finish(): TransactionalFileSinkResult {
    this.snapshotState(Number.MAX_SAFE_INTEGER);
    this.notifyCheckpointComplete(Number.MAX_SAFE_INTEGER);
    return { committed: [...this.#committed], records: this.#records };
  }

  close(): void {
    if (this.#open) closeSync(this.#open.fd);
    this.#open = undefined;
  }

  #flush(): void {
    if (!this.#open) {
      const transaction = this.#next++;
      this.#open = { transaction, fd: openSync(join(this.#dir, inProgressName(this.#subtask, transaction)), 'w') };
    }
    if (this.#buffer.length === 0) return;
    const bytes = Buffer.from(this.#buffer, 'utf8');
    this.#buffer = '';
    for (let offset = 0; offset < bytes.byteLength; ) offset += writeSync(this.#open.fd, bytes, offset);
  }

  #commit(transaction: number, subtask = this.#subtask): void {
    const from = join(this.#dir, inProgressName(subtask, transaction));
    const to = join(this.#dir, committedPartName(subtask, transaction));
    // Already committed before a failure: the rename happened, the state did not record it.
    if (!existsSync(from)) return;
    renameSync(from, to);
    this.#committed.push(to);
  }
}

/** The worker-side definition; use {@link transactionalFileSink} in pipelines. */
export const transactionalFileSinkDefinition = defineSink(
  import.meta,
  (options: TransactionalFileSinkOptions) => new TransactionalFileSink(options),
);

/**
 * An exactly-once file sink (two-phase commit): records become visible in `path/part-<subtask>-<n>`
 * files when the checkpoint after them completes (or when the job ends).
 */
export function transactionalFileSink<T = unknown>(options: TransactionalFileSinkOptions): SinkSpec<T> {
  const given = optionsObject(CONNECTOR, options);
  const path = resolve(pathOption(CONNECTOR, 'path', given.path));
  const format = choiceOption(CONNECTOR, 'format', given.format, ['lines', 'ndjson'] as const);
  return { fn: transactionalFileSinkDefinition, options: { path, format }, name: 'transactional-file-sink' };
}
