/**
 * Property: at any point of any run, copyRange over any window `[from, to)` of the unreleased,
 * published bytes copies exactly the bytes the writer laid down there (across the end of the
 * ring and the uint32 wrap), consumes nothing, and over a window between two frame boundaries
 * FrameParser walks exactly the frames in that window.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrameParser, positionDiff } from '../../native-free-buffers/index.js';
import { findPayloadMismatch } from '../fixtures/buffers/stream-pattern.js';
import { RingModel } from './support/ring-model.js';
import { ringOptionsArbitrary, stepSize, stepsArbitrary } from './support/model-arbitraries.js';

interface Coverage {
  copies: number;
  boundaryCopies: number;
  parsedFrames: number;
  copiesAcrossEnd: number;
}

/** Logical position `fraction` of the way through `[low, high]`. */
function between(low: number, high: number, fraction: number): number {
  return low + Math.min(high - low, Math.floor(fraction * (high - low + 1)));
}

/** Copies a byte window and compares every byte the writer defined there. */
function checkByteWindow(model: RingModel, from: number, to: number, coverage: Coverage): void {
  const { reader } = model;
  const positionBefore = reader.position;
  const releasedBefore = reader.releasedPosition;
  const target = new Uint8Array(to - from + 16).fill(0xee);
  const copied = reader.copyRange(model.actual(from), model.actual(to), target, 8);
  expect(copied).toBe(to - from);
  const image = model.expectedBytes(from, to);
  for (let i = 0; i < to - from; i++) {
    const expected = image[i];
    if (expected !== undefined && target[8 + i] !== expected) {
      throw new Error(`copyRange byte at logical position ${from + i} is ${target[8 + i]}, expected ${expected}`);
    }
  }
  // Nothing written outside [targetOffset, targetOffset + copied).
  expect(target.subarray(0, 8).every((b) => b === 0xee)).toBe(true);
  expect(target.subarray(8 + copied).every((b) => b === 0xee)).toBe(true);
  // Nothing consumed.
  expect(reader.position).toBe(positionBefore);
  expect(reader.releasedPosition).toBe(releasedBefore);
  coverage.copies++;
  const startOffset = model.actual(from) & (model.options.capacity - 1);
  if (startOffset + (to - from) > model.options.capacity) coverage.copiesAcrossEnd++;
}

/** Copies a window between two entry boundaries and parses it. */
function checkFrameWindow(model: RingModel, fromFraction: number, toFraction: number, coverage: Coverage): void {
  const boundaries = [
    ...new Set(model.entries.filter((e) => e.start >= model.released && e.start <= model.published).map((e) => e.start)),
    ...model.entries.filter((e) => e.end >= model.released && e.end <= model.published).map((e) => e.end),
  ].sort((a, b) => a - b);
  if (boundaries.length === 0) return;
  const i = Math.min(boundaries.length - 1, Math.floor(fromFraction * boundaries.length));
  const j = between(i, boundaries.length - 1, toFraction);
  const from = boundaries[i]!;
  const to = boundaries[j]!;
  const target = new Uint8Array(to - from);
  model.reader.copyRange(model.actual(from), model.actual(to), target);
  const expected = model.entries.filter((e) => !e.padding && e.start >= from && e.end <= to);
  const parser = new FrameParser(target);
  for (const entry of expected) {
    expect(parser.next()).toBe(true);
    expect(parser.frameLength).toBe(entry.length);
    expect(parser.frameType).toBe(entry.type);
    expect(parser.frameOffset - 8).toBe(entry.start - from);
    expect(findPayloadMismatch(parser.bytes, parser.frameOffset, parser.frameLength, model.options.seed, entry.seq)).toBe(-1);
    coverage.parsedFrames++;
  }
  expect(parser.next()).toBe(false);
  coverage.boundaryCopies++;
}

describe('copyRange and FrameParser (property)', () => {
  it('copy exactly the bytes and frames of any window of the unreleased published bytes', () => {
    const coverage: Coverage = { copies: 0, boundaryCopies: 0, parsedFrames: 0, copiesAcrossEnd: 0 };
    fc.assert(
      fc.property(ringOptionsArbitrary, stepsArbitrary(true), (options, steps) => {
        const model = new RingModel(options);
        const { maxFrameBytes } = options;
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
            case 'copy': {
              const from = between(model.released, model.published, step.from);
              const to = between(from, model.published, step.to);
              checkByteWindow(model, from, to, coverage);
              checkFrameWindow(model, step.from, step.to, coverage);
              // The range is still unread and unreleased where it was: reading goes on as before.
              expect(positionDiff(model.reader.position, model.actual(model.read))).toBe(0);
              break;
            }
          }
        }
        model.drain();
      }),
      { numRuns: 300 },
    );
    expect(coverage.copies).toBeGreaterThan(0);
    expect(coverage.parsedFrames).toBeGreaterThan(0);
    expect(coverage.copiesAcrossEnd).toBeGreaterThan(0);
  });
});
