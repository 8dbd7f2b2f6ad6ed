/**
 * A test hook of checkpoint storage: a function consulted before each snapshot file write that
 * may return an error to fail that write with (an ENOSPC, say), as a full disk would. Tests install
 * it on the main thread, where the I/O pool's writes are dispatched; it is off (a no-op) otherwise.
 */

/** Decides whether the write of `file` fails: returns the error to fail it with, or undefined. */
export type StorageWriteFault = (file: string) => Error | undefined;

const NO_FAULT: StorageWriteFault = () => undefined;
let current: StorageWriteFault = NO_FAULT;

/** Installs `fault` (undefined removes it). For tests: it applies to every job of this thread. */
export function setStorageWriteFault(fault: StorageWriteFault | undefined): void {
  current = fault ?? NO_FAULT;
}

/** The error the installed hook fails a write of `file` with, if any. */
export function storageWriteFault(file: string): Error | undefined {
  return current(file);
}
