/**
 * Checksums of snapshot files: SHA-256 through node:crypto (OpenSSL, which uses the CPU's SHA
 * extensions where present). It is the fastest cryptographic hash Node 20 offers here, ahead of
 * SHA-1, SHA-512/256, BLAKE2 and MD5; `zlib.crc32` (Node >= 20.15) is several times faster but a
 * 32-bit check, and a checkpoint file is hashed once on write and once on restore, after zstd has
 * shrunk it, so the cost is a small part of the asynchronous phase.
 */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';

/** Bytes read per chunk when hashing a file: large enough to be fast, small enough to keep the event loop responsive. */
export const FILE_HASH_CHUNK_BYTES = 1 << 20;

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** The SHA-256 of `bytes`, as 64 lowercase hex digits. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Whether `value` is a SHA-256 digest as {@link sha256Hex} writes it: 64 lowercase hex digits. */
export function isSha256Hex(value: unknown): value is string {
  return typeof value === 'string' && SHA256_HEX.test(value);
}

/** Size and SHA-256 of a file's content. */
export interface FileDigest {
  /** Bytes read. */
  readonly bytes: number;
  /** SHA-256 of the content, 64 lowercase hex digits. */
  readonly sha256: string;
}

/**
 * Hashes a file in chunks of {@link FILE_HASH_CHUNK_BYTES}, yielding to the event loop between
 * chunks, so a large file can be verified on the main thread without blocking it for long.
 * Rejects with the file system's error (ENOENT for a missing file).
 */
export async function sha256OfFile(path: string): Promise<FileDigest> {
  const handle = await open(path, 'r');
  try {
    const hash = createHash('sha256');
    const chunk = new Uint8Array(FILE_HASH_CHUNK_BYTES);
    let bytes = 0;
    for (;;) {
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      hash.update(chunk.subarray(0, bytesRead));
      bytes += bytesRead;
    }
    return { bytes, sha256: hash.digest('hex') };
  } finally {
    await handle.close();
  }
}
