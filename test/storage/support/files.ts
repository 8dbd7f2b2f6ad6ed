/** Temporary directories, seeded test data, and damage done to files on purpose. */
import { mkdtemp, open, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A fresh directory under os.tmpdir(); `remove()` deletes it with its content. */
export async function temporaryDirectory(prefix = 'sluice-storage-'): Promise<{ path: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  return { path: dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** xorshift32: deterministic bytes from a seed. */
export function seededBytes(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    bytes[i] = state & 0xff;
  }
  return bytes;
}

/**
 * Compressible bytes that are not trivially so: lines of keyed-state-like text with seeded
 * keys and values (`user-4711=1234567\n`), roughly 3-6x compressible with zstd level 1.
 */
export function compressibleBytes(length: number, seed: number): Uint8Array {
  const noise = seededBytes(Math.ceil(length / 4) + 16, seed);
  const bytes = new Uint8Array(length);
  const prefix = [0x75, 0x73, 0x65, 0x72, 0x2d]; // 'user-'
  const digits = new Uint8Array(16);
  let at = 0;
  const put = (byte: number) => {
    if (at < length) bytes[at++] = byte;
  };
  const putNumber = (value: number) => {
    let count = 0;
    do {
      digits[count++] = 0x30 + (value % 10);
      value = Math.floor(value / 10);
    } while (value > 0);
    while (count > 0) put(digits[--count]!);
  };
  for (let i = 0; at < length; i++) {
    for (const byte of prefix) put(byte);
    putNumber((noise[(i * 3) % noise.length]! << 4) | (noise[(i * 3 + 1) % noise.length]! & 0x0f));
    put(0x3d); // '='
    putNumber(noise[(i * 3 + 2) % noise.length]! * 7919 + i);
    put(0x0a);
  }
  return bytes;
}

/** Flips every bit of the byte at `offset` of `file`, keeping its size. */
export async function flipByte(file: string, offset: number): Promise<void> {
  const handle = await open(file, 'r+');
  try {
    const byte = new Uint8Array(1);
    await handle.read(byte, 0, 1, offset);
    byte[0] = byte[0]! ^ 0xff;
    await handle.write(byte, 0, 1, offset);
  } finally {
    await handle.close();
  }
}

/** Cuts `bytes` bytes off the end of `file`. */
export async function truncateBy(file: string, bytes: number): Promise<void> {
  const { size } = await stat(file);
  const handle = await open(file, 'r+');
  try {
    await handle.truncate(size - bytes);
  } finally {
    await handle.close();
  }
}
