/**
 * The snapshot compressors that sluice's codec benchmarks compare: sluice's zstd container
 * (zstd-codec's WebAssembly build, independent 1 MiB frames) against Node's built-in gzip and
 * brotli. `sluice bench --micro` and `npm run bench:codec` measure the same list.
 */
import zlib from 'node:zlib';
import type { SnapshotCodec } from '../../storage/zstd.js';

/** A compressor under test: one-shot compress and decompress of a whole snapshot. */
export interface SnapshotCodecUnderTest {
  /** `zstd-1`, `gzip-1`, … (algorithm and level). */
  readonly name: string;
  /** What exactly runs, for a reader of the results. */
  readonly note: string;
  compress(raw: Uint8Array): Uint8Array;
  decompress(compressed: Uint8Array): Uint8Array;
}

/**
 * The compressors, `zstd` being a loaded {@link SnapshotCodec}. `all: false` keeps one level per
 * algorithm (the levels sluice would use), for a quick run.
 */
export function snapshotCodecs(zstd: SnapshotCodec, { all = true }: { all?: boolean } = {}): SnapshotCodecUnderTest[] {
  const zstdAt = (level: number, note: string): SnapshotCodecUnderTest => ({
    name: `zstd-${level}`,
    note: `sluice container, zstd-codec Simple, level ${level}${note}, 1 MiB frames`,
    compress: (raw) => zstd.compress(raw, { level }),
    decompress: (compressed) => zstd.decompress(compressed),
  });
  return [
    zstdAt(1, ''),
    ...(all ? [zstdAt(-1, " (zstd's fast mode)"), zstdAt(3, '')] : []),
    {
      name: 'gzip-1',
      note: 'node:zlib gzipSync, level 1',
      compress: (raw) => zlib.gzipSync(raw, { level: 1 }),
      decompress: (compressed) => zlib.gunzipSync(compressed),
    },
    {
      name: 'brotli-1',
      note: 'node:zlib brotliCompressSync, quality 1',
      compress: (raw) =>
        zlib.brotliCompressSync(raw, {
          params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 1, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: raw.length },
        }),
      decompress: (compressed) => zlib.brotliDecompressSync(compressed),
    },
  ];
}
