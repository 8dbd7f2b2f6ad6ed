import { SluiceError } from '../errors/sluice-error.js';

/**
 * The command line is wrong: an unknown or malformed flag, a missing argument, flags that do
 * not go together. Exit code 2; the message says what to write instead, and `command` names
 * the help to point to (`sluice run --help`).
 */
export class UsageError extends SluiceError {
  /** The command whose help explains the fix: `run`, `checkpoints`, or '' for `sluice --help`. */
  readonly command: string;

  constructor(command: string, message: string, options?: { cause?: unknown }) {
    super('SLUICE_USAGE', message, options);
    this.command = command;
  }
}
