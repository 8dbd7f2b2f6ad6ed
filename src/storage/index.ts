/** Checkpoint storage: layout, metadata commit, zstd snapshot codec, checksums, the I/O pool, retention. */
export * from './checkpoint-storage.js';
export * from './checksum.js';
export * from './durable-file.js';
export * from './io-pool.js';
export * from './layout.js';
export * from './metadata.js';
export * from './job-lock.js';
export * from './savepoint.js';
export * from './storage-check.js';
export * from './snapshot-file.js';
export * from './storage-errors.js';
export * from './storage-faults.js';
export * from './zstd.js';
