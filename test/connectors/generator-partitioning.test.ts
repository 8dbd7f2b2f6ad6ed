/**
 * The generator is deterministic: the same options give the same records in every run, and
 * the subtasks at any parallelism together emit each sequence number below `count` exactly
 * once, with the same record for it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GENERATOR_VALUE_RANGE, generatorRecord, generatorSource } from '../../src/connectors/index.js';
import type { NumericGeneratorRecord, ObjectGeneratorRecord } from '../../src/connectors/index.js';
import { runAllSubtasks } from './support/harness.js';

const bySeq = <R extends NumericGeneratorRecord | ObjectGeneratorRecord>(records: R[]): R[] =>
  records.slice().sort((a, b) => seqOf(a) - seqOf(b));
const seqOf = (record: NumericGeneratorRecord | ObjectGeneratorRecord): number =>
  Array.isArray(record) ? record[0] : record.seq;

describe('generator partitioning', () => {
  it('gives the same records in two runs', async () => {
    const spec = generatorSource({ seed: 42, count: 500, keys: 17 });
    const first = await runAllSubtasks(spec, 2);
    const second = await runAllSubtasks(spec, 2);
    expect(second).toEqual(first);
  });

  it('emits each seq below count exactly once, with the same record at every parallelism', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: -(2 ** 40), max: 2 ** 40 }),
        fc.integer({ min: 0, max: 400 }),
        fc.integer({ min: 1, max: 50 }),
        fc.constantFrom<'numeric' | 'object'>('numeric', 'object'),
        fc.integer({ min: 1, max: 97 }),
        async (seed, count, keys, shape, budget) => {
          const spec = generatorSource({ seed, count, keys, shape });
          const reference = (await runAllSubtasks(spec, 1, budget)).flat();
          expect(reference.map(seqOf)).toEqual(Array.from({ length: count }, (_, seq) => seq));
          for (let parallelism = 2; parallelism <= 4; parallelism++) {
            const parts = await runAllSubtasks(spec, parallelism, budget);
            parts.forEach((records, subtaskIndex) => {
              for (const record of records) expect(seqOf(record) % parallelism).toBe(subtaskIndex);
            });
            expect(bySeq(parts.flat())).toEqual(reference);
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('derives key and value from seed and seq only, within their ranges', async () => {
    const spec = generatorSource({ seed: 3, count: 2000, keys: 10 });
    const records = (await runAllSubtasks(spec, 3)).flat() as NumericGeneratorRecord[];
    for (const record of records) {
      expect(record).toEqual(generatorRecord({ seed: 3, keys: 10 }, record[0]));
      const [, key, value] = record;
      expect(Number.isInteger(key) && key >= 0 && key < 10).toBe(true);
      expect(Number.isInteger(value) && value >= 0 && value < GENERATOR_VALUE_RANGE).toBe(true);
    }
    // Every key occurs and the seed matters: a constant or seed-blind generator fails here.
    expect(new Set(records.map((record) => record[1])).size).toBe(10);
    const otherSeed = (await runAllSubtasks(generatorSource({ seed: 4, count: 2000, keys: 10 }), 1)).flat();
    expect(bySeq(otherSeed)).not.toEqual(bySeq(records));
  });

  it('emits object records with key strings and a payload of payloadBytes', async () => {
    const spec = generatorSource({ seed: 9, count: 50, keys: 5, shape: 'object', payloadBytes: 300 });
    const records = (await runAllSubtasks(spec, 2)).flat();
    expect(records).toHaveLength(50);
    for (const record of records) {
      expect(record.key).toMatch(/^key-[0-4]$/);
      expect(Buffer.byteLength(record.payload!, 'utf8')).toBe(300);
      expect(record).toEqual(generatorRecord({ seed: 9, keys: 5, shape: 'object', payloadBytes: 300 }, record.seq));
    }
    expect(spec.shape).toEqual({ kind: 'object' });
    expect(generatorSource({ count: 1 }).shape).toEqual({ kind: 'numeric', arity: 3 });
  });

  it('keeps distinct records for sequence numbers past 2^32', () => {
    const low = generatorRecord({ seed: 1, keys: 2 ** 32 }, 5) as NumericGeneratorRecord;
    const high = generatorRecord({ seed: 1, keys: 2 ** 32 }, 5 + 2 ** 32) as NumericGeneratorRecord;
    expect(high[0]).toBe(5 + 2 ** 32);
    expect(high[1]).not.toBe(low[1]);
  });
});
