/**
 * fast-check arbitraries for the ring property tests: small rings of random geometry and
 * batching, starting anywhere (including just before the uint32 wrap), and random steps.
 */
import fc from 'fast-check';
import { MAX_FRAME_TYPE } from '../../../native-free-buffers/index.js';
import type { ModelRingOptions } from './ring-model.js';

/** A fraction from 0 to 1, evenly spread (fc.double leans hard towards 0 and the extremes). */
export const unitFraction: fc.Arbitrary<number> = fc.integer({ min: 0, max: 10_000 }).map((n) => n / 10_000);

/** A ring of 64 B to 4 KiB with random limits and batching, starting at a random position. */
export const ringOptionsArbitrary: fc.Arbitrary<ModelRingOptions> = fc
  .record({
    capacityLog2: fc.integer({ min: 6, max: 12 }),
    maxFrameFraction: unitFraction,
    publishEvery: fc.option(unitFraction.map((f) => f * 1.25), { nil: undefined }),
    releaseEvery: fc.option(unitFraction.map((f) => f * 1.25), { nil: undefined }),
    start: fc.oneof(
      fc.constant(0),
      fc.nat({ max: 2 ** 29 - 1 }).map((n) => n * 8),
      // Within a few rings of 2^32: the run crosses the wrap of the free-running positions.
      fc.integer({ min: 1, max: 1024 }).map((n) => (2 ** 32 - n * 8) >>> 0),
    ),
    seed: fc.integer({ min: 0, max: 0x7fff_ffff }),
  })
  .map(({ capacityLog2, maxFrameFraction, publishEvery, releaseEvery, start, seed }) => {
    const capacity = 2 ** capacityLog2;
    const largest = capacity / 2 - 8;
    return {
      capacity,
      maxFrameBytes: Math.round(maxFrameFraction * largest),
      // undefined: batch only by explicit publish/release.
      publishEveryBytes: publishEvery === undefined ? Infinity : Math.max(1, Math.round(publishEvery * capacity)),
      releaseEveryBytes: releaseEvery === undefined ? Infinity : Math.max(1, Math.round(releaseEvery * capacity)),
      startPosition: start,
      seed,
    };
  });

/** One step of a run; sizes are fractions of the ring's maxFrameBytes. */
export type Step =
  | { readonly kind: 'write'; readonly sizeFraction: number; readonly type: number; readonly viaTryWrite: boolean; readonly extraFraction: number }
  | { readonly kind: 'publish' }
  | { readonly kind: 'read'; readonly frames: number }
  | { readonly kind: 'release' }
  | { readonly kind: 'copy'; readonly from: number; readonly to: number };

const fraction = fc.oneof(
  unitFraction,
  fc.constantFrom(0, 1),
  // Many small frames: many per trip around the ring.
  unitFraction.map((f) => f / 10),
);

const writeStep = fc.record({
  kind: fc.constant('write' as const),
  sizeFraction: fraction,
  type: fc.oneof(fc.constantFrom(0, MAX_FRAME_TYPE), fc.integer({ min: 0, max: MAX_FRAME_TYPE })),
  viaTryWrite: fc.boolean(),
  extraFraction: fraction,
});

/** Steps of writes, publishes, reads and releases in any interleaving. */
export const stepsArbitrary = (withCopies: boolean): fc.Arbitrary<Step[]> =>
  fc.array(
    fc.oneof(
      { weight: 6, arbitrary: writeStep },
      { weight: 1, arbitrary: fc.constant({ kind: 'publish' as const }) },
      { weight: 3, arbitrary: fc.record({ kind: fc.constant('read' as const), frames: fc.integer({ min: 1, max: 8 }) }) },
      { weight: 1, arbitrary: fc.constant({ kind: 'release' as const }) },
      {
        weight: withCopies ? 2 : 0,
        arbitrary: fc.record({
          kind: fc.constant('copy' as const),
          from: unitFraction,
          to: unitFraction,
        }),
      },
    ),
    { minLength: 1, maxLength: 300, size: 'max' },
  );

/** Payload bytes of a write step on a ring whose frames carry at most `maxFrameBytes`. */
export function stepSize(fractionOfMax: number, maxFrameBytes: number): number {
  return Math.min(maxFrameBytes, Math.floor(fractionOfMax * (maxFrameBytes + 1)));
}
