/**
 * Errors sluice throws on purpose. Every error has a stable `code` and, where one exists,
 * the original error as `cause`; a message says what was wrong, where, and what to do.
 */
export class SluiceError extends Error {
  /** Stable machine-readable code, `SLUICE_*`. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A job or an operator was configured wrongly; nothing ran. */
export class ConfigurationError extends SluiceError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SLUICE_CONFIGURATION', message, options);
  }
}

/** An operator module or its export could not be loaded. */
export class OperatorLoadError extends SluiceError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SLUICE_OPERATOR_LOAD', message, options);
  }
}

/** Where in the job a failure happened. */
export interface FailureLocation {
  /** The operator's name. */
  readonly operator: string;
  /** Index of the subtask, from 0. */
  readonly subtask: number;
  /** Parallelism of the operator. */
  readonly parallelism: number;
  /** Records the subtask had taken from its inputs when it failed, if it has inputs. */
  readonly recordsIn?: number;
  /** A description of the input record's position, if the failure happened on a record. */
  readonly position?: string;
}

/** An operator threw, or its worker died: the job's attempt failed. */
export class JobFailedError extends SluiceError {
  /** Where it failed. */
  readonly location: FailureLocation;

  constructor(location: FailureLocation, message: string, options?: { cause?: unknown; code?: string }) {
    super(options?.code ?? 'SLUICE_JOB_FAILED', message, options);
    this.location = location;
  }
}

/** The job was cancelled by `job.cancel()` or its AbortSignal. */
export class JobCancelledError extends SluiceError {
  constructor(reason?: unknown) {
    super('SLUICE_JOB_CANCELLED', 'the job was cancelled', { cause: reason });
  }
}

/** An input record could not be parsed (for example a malformed NDJSON line). */
export class MalformedInputError extends SluiceError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SLUICE_MALFORMED_INPUT', message, options);
  }
}

/** Exhaustiveness check for switches over tagged unions. */
export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(value)}`);
}
