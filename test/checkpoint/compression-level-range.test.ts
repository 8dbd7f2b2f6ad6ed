/**
 * `checkpoints.compressionLevel` accepts what the snapshot compressor accepts: 1 to 9. Level 10
 * and above used to pass the configuration check and then fail every checkpoint in the codec.
 */
import { describe, expect, it } from 'vitest';
import type * as Config from '../../src/checkpoint/checkpoint-config.js';
import type * as Storage from '../../src/storage/index.js';
import { loadCompiled } from '../support/compiled.js';

const { resolveCheckpointConfig } = await loadCompiled<typeof Config>('src/checkpoint/checkpoint-config.js');
const { MAX_ZSTD_LEVEL, compressSnapshot, decompressSnapshot } = await loadCompiled<typeof Storage>('src/storage/index.js');

describe('checkpoints.compressionLevel', () => {
  it('accepts 1 to the codec maximum and rejects above it with a message that says why', () => {
    expect(MAX_ZSTD_LEVEL).toBe(9);
    expect(resolveCheckpointConfig({ mode: 'aligned', compressionLevel: 9 }).compressionLevel).toBe(9);
    for (const level of [10, 19]) {
      expect(() => resolveCheckpointConfig({ mode: 'aligned', compressionLevel: level })).toThrow(
        /checkpoints\.compressionLevel must be 1 to 9 \(higher levels do not fit the zstd codec's 16 MiB heap\)/,
      );
    }
  });

  it('the highest accepted level compresses a full frame in the codec', async () => {
    const raw = new Uint8Array(1 << 20).map((_, i) => (i * 31) % 251);
    const packed = await compressSnapshot(raw, { level: MAX_ZSTD_LEVEL });
    expect(await decompressSnapshot(packed)).toEqual(raw);
  });
});
