import type { InjectedFault } from './deployment.js';

/** Thrown by an injected `throw` fault: an ordinary operator failure. */
export class InjectedFailure extends Error {
  constructor(where: string) {
    super(`injected failure: ${where}`);
    this.name = 'InjectedFailure';
  }
}

/**
 * Injects the failures a deployment asks for: a thrown error, or a hard exit of the worker
 * thread, after a number of records or at a phase of a checkpoint. Does nothing when none.
 */
export class FaultInjector {
  readonly #records: InjectedFault[];
  readonly #checkpoints: InjectedFault[];
  readonly #where: string;
  #count = 0;
  #nextAt = Infinity;

  constructor(faults: readonly InjectedFault[] | undefined, operators: readonly string[], subtask: number, attempt: number, where: string) {
    const mine = (faults ?? []).filter(
      (fault) => operators.includes(fault.operator) && fault.subtask === subtask && (fault.attempt ?? 0) === attempt,
    );
    this.#records = mine.filter((fault) => fault.afterRecords !== undefined).sort((a, b) => a.afterRecords! - b.afterRecords!);
    this.#checkpoints = mine.filter((fault) => fault.atCheckpoint !== undefined);
    this.#nextAt = this.#records[0]?.afterRecords ?? Infinity;
    this.#where = where;
  }

  /** Counts `n` records; strikes when a fault's count is reached. */
  onRecords(n: number): void {
    this.#count += n;
    if (this.#count < this.#nextAt) return;
    const fault = this.#records.shift()!;
    this.#nextAt = this.#records[0]?.afterRecords ?? Infinity;
    this.#strike(fault, `${this.#where} after ${this.#count} records`);
  }

  /** Strikes when a fault waits for this phase of a checkpoint. */
  atCheckpoint(phase: 'before-snapshot' | 'after-snapshot' | 'after-ack', checkpointId: number): void {
    if (this.#checkpoints.length === 0) return;
    const index = this.#checkpoints.findIndex(
      (fault) => fault.atCheckpoint!.phase === phase && (fault.atCheckpoint!.checkpointId ?? checkpointId) === checkpointId,
    );
    if (index < 0) return;
    const [fault] = this.#checkpoints.splice(index, 1);
    this.#strike(fault!, `${this.#where} at ${phase} of checkpoint ${checkpointId}`);
  }

  #strike(fault: InjectedFault, where: string): void {
    if (fault.kind === 'exit') process.exit(70);
    throw new InjectedFailure(where);
  }
}
