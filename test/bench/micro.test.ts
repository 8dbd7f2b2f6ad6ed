/**
 * `sluice bench --micro` measures ring framing, record codecs, snapshot compression and checkpoint file layouts with
 * tinybench, one result per question, in the report's micro-benchmark format.
 */
import { describe, expect, it } from 'vitest';

type RunMicro = (progress: (line: string) => void) => Promise<Array<{ name: string; unit: string; value: number; range: string; extra?: string }>>;

describe('sluice bench --micro', () => {
  it('reports every micro-benchmark with a positive median, its unit and a min..max range', async () => {
    const { runMicro } = (await import(new URL('../../dist/src/bench/micro.js', import.meta.url).href)) as { runMicro: RunMicro };
    const progress: string[] = [];
    const results = await runMicro((line) => progress.push(line));
    expect(progress).toEqual(['micro: ring', 'micro: record codecs', 'micro: snapshot compression', 'micro: checkpoint files']);
    const units = Object.fromEntries(results.map((result) => [result.name, result.unit]));
    expect(units).toEqual({
      'ring/64B/one-thread': 'msgs/s',
      'codec/numeric/encode': 'records/s',
      'codec/numeric/decode': 'records/s',
      'codec/object/encode': 'records/s',
      'codec/object/decode': 'records/s',
      'snapshot/zstd-1/compress': 'MB/s',
      'snapshot/zstd-1/decompress': 'MB/s',
      'snapshot/gzip-1/compress': 'MB/s',
      'snapshot/gzip-1/decompress': 'MB/s',
      'snapshot/brotli-1/compress': 'MB/s',
      'snapshot/brotli-1/decompress': 'MB/s',
      'checkpoint-files/24-files': 'checkpoints/s',
      'checkpoint-files/4-merged': 'checkpoints/s',
      'checkpoint-files/1-merged': 'checkpoints/s',
    });
    for (const result of results) {
      expect(result.value, result.name).toBeGreaterThan(0);
      const [low, high] = result.range.split('..').map(Number);
      expect(low! <= high!, result.name).toBe(true);
    }
    // Compression results say how well each codec compressed the same state.
    for (const result of results.filter((r) => r.name.startsWith('snapshot/'))) expect(result.extra).toMatch(/^ratio \d+\.\d\d; /);
  });
});
