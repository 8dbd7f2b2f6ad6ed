/**
 * Property: on a small ring of any geometry and batching, starting at any position (across the
 * uint32 wrap too), any interleaving of writes, publishes, reads and releases delivers exactly
 * the frames written, in order, with intact payloads at 8-aligned offsets; and the writer
 * refuses a frame exactly when the ring has no room for it (RingModel checks every step).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RingModel } from './support/ring-model.js';
import { ringOptionsArbitrary, stepSize, stepsArbitrary, unitFraction } from './support/model-arbitraries.js';
import type { Step } from './support/model-arbitraries.js';

/** What the runs of a property exercised, so a property that tested nothing fails. */
interface Coverage {
  paddings: number;
  refusals: number;
  wraps: number;
  frames: number;
}

function newCoverage(): Coverage {
  return { paddings: 0, refusals: 0, wraps: 0, frames: 0 };
}

function record(coverage: Coverage, model: RingModel): void {
  coverage.paddings += model.paddings;
  coverage.refusals += model.refusals;
  coverage.frames += model.framesRead;
  if (model.writer.position < model.options.startPosition) coverage.wraps++;
}

function run(model: RingModel, steps: readonly Step[]): void {
  const { maxFrameBytes } = model.options;
  for (const step of steps) {
    switch (step.kind) {
      case 'write':
        model.write({
          size: stepSize(step.sizeFraction, maxFrameBytes),
          type: step.type,
          viaTryWrite: step.viaTryWrite,
          extra: stepSize(step.extraFraction, maxFrameBytes),
        });
        break;
      case 'publish':
        model.publish();
        break;
      case 'read':
        model.readFrames(step.frames);
        break;
      case 'release':
        model.release();
        break;
      case 'copy':
        break;
    }
  }
  model.drain();
}

describe('ring delivery (property)', () => {
  it('delivers exactly the frames written, in order and intact, for any interleaving', () => {
    const coverage = newCoverage();
    fc.assert(
      fc.property(ringOptionsArbitrary, stepsArbitrary(false), (options, steps) => {
        const model = new RingModel(options);
        run(model, steps);
        record(coverage, model);
      }),
      { numRuns: 300 },
    );
    expect(coverage.paddings).toBeGreaterThan(0);
    expect(coverage.refusals).toBeGreaterThan(0);
    expect(coverage.wraps).toBeGreaterThan(0);
  });

  it('delivers every frame when a writer and a reader keep taking turns on a full ring', () => {
    // Long runs of writes until full, then reads: many trips around the ring per run.
    const turns = fc.array(fc.tuple(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 }), unitFraction), {
      minLength: 1,
      maxLength: 40,
    });
    const coverage = newCoverage();
    fc.assert(
      fc.property(ringOptionsArbitrary, turns, (options, plan) => {
        const model = new RingModel(options);
        let sizeSeed = options.seed;
        for (const [writes, reads, largeShare] of plan) {
          for (let i = 0; i < writes; i++) {
            sizeSeed = (Math.imul(sizeSeed, 1_103_515_245) + 12_345) >>> 0;
            const large = (sizeSeed >>> 16) / 65_536 < largeShare;
            const size = large ? sizeSeed % (options.maxFrameBytes + 1) : sizeSeed % Math.min(options.maxFrameBytes + 1, 17);
            model.write({ size, type: sizeSeed & 0x7fff_ffff, viaTryWrite: (sizeSeed & 1) === 0, extra: 0 });
          }
          model.readFrames(reads);
          model.release();
        }
        model.drain();
        record(coverage, model);
      }),
      { numRuns: 100 },
    );
    expect(coverage.paddings).toBeGreaterThan(0);
    expect(coverage.refusals).toBeGreaterThan(0);
    expect(coverage.wraps).toBeGreaterThan(0);
  });
});
