/**
 * The input gate's read pass: channels are visited round robin, at most 16 frames each before
 * the next; a pass that stops early (its deadline) resumes after the channel it stopped at, so no
 * channel starves; restored in-flight data goes before the ring; a ring that ended is the
 * channel's end of partition, and the gate reports every channel finished once all have.
 * Watermark frames go to the subtask's event time (a pass stops after one that makes timers due);
 * those in restored in-flight data are spent.
 */
import { describe, expect, it } from 'vitest';
import { Doorbell, FrameParser, RingReader, RingWriter, allocateRing } from '../../native-free-buffers/index.js';
import { numericRecords } from '../../src/api/specs.js';
import { NO_CHECKPOINTS } from '../../src/runtime/checkpointer.js';
import { InputGate, NO_EVENT_TIME } from '../../src/runtime/input-gate.js';
import type { InputGateHost } from '../../src/runtime/input-gate.js';
import { BatchCursor, createBatchEncoder } from '../../src/runtime/record-batch.js';
import { FRAME_WATERMARK } from '../../src/runtime/frames.js';
import { encodeWatermark } from '../../src/runtime/watermarks.js';

/** Writes a watermark frame into `writer`'s ring. */
function writeWatermark(writer: RingWriter, watermark: number): void {
  const payload = new Uint8Array(8);
  encodeWatermark(watermark, payload);
  expect(writer.tryWrite(payload, FRAME_WATERMARK)).toBe(true);
  writer.publish();
}

const SHAPE = numericRecords(2);

/** A gate over `count` rings; each ring's writer puts one-record frames `[channel, n]`. */
function setup(count: number) {
  const gate = new InputGate();
  const writers: RingWriter[] = [];
  for (let index = 0; index < count; index++) {
    const ring = allocateRing({ capacity: 1 << 16 });
    writers.push(new RingWriter(ring, { consumerDoorbell: Doorbell.allocate() }));
    gate.channels.push({
      index,
      reader: new RingReader(ring, { producerDoorbell: Doorbell.allocate() }),
      edgeId: 0,
      from: 'producer',
      peerSubtask: index,
      finished: false,
      blocked: false,
      replay: undefined,
      cursor: new BatchCursor(SHAPE),
    });
  }
  const encoder = createBatchEncoder(SHAPE, 1 << 14);
  const write = (channel: number, values: readonly number[]) => {
    for (const n of values) {
      encoder.add([channel, n], 0, -1);
      const { frameType, bytes } = encoder.encode();
      expect(writers[channel]!.tryWrite(bytes, frameType)).toBe(true);
    }
    writers[channel]!.publish();
  };
  const seen: Array<[number, number]> = [];
  const handle = (record: unknown) => void seen.push(record as [number, number]);
  return { gate, writers, write, seen, handle };
}

function host(overrides: Partial<InputGateHost> = {}): InputGateHost {
  return {
    checkpointer: NO_CHECKPOINTS,
    debloat: { consumed() {}, closed() {} },
    faults: { onRecords() {} },
    backpressured: () => false,
    interrupted: () => false,
    watermarks: NO_EVENT_TIME,
    ...overrides,
  };
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

describe('input gate', () => {
  it('takes at most 16 frames from a channel before the next, round robin', () => {
    const { gate, write, seen, handle } = setup(3);
    for (let channel = 0; channel < 3; channel++) write(channel, range(0, 40));
    expect(gate.read(handle, Infinity, host())).toBe(true);
    expect(seen).toHaveLength(120);
    const channels = seen.map(([channel]) => channel);
    // First pass: 16 from each, in channel order; then again; then the 8 left of each.
    expect(channels.slice(0, 48)).toEqual([...Array(16).fill(0), ...Array(16).fill(1), ...Array(16).fill(2)]);
    for (let channel = 0; channel < 3; channel++) {
      expect(seen.filter(([c]) => c === channel).map(([, n]) => n)).toEqual(range(0, 40));
    }
  });

  it('resumes after the channel a stopped pass ended at, so none starves', () => {
    const { gate, write, seen, handle } = setup(3);
    for (let channel = 0; channel < 3; channel++) write(channel, range(0, 16));
    // The deadline has passed: each call reads one channel's frames, then stops.
    gate.read(handle, -Infinity, host());
    gate.read(handle, -Infinity, host());
    gate.read(handle, -Infinity, host());
    expect([...new Set(seen.map(([channel]) => channel))]).toEqual([0, 1, 2]);
  });

  it('hands out restored in-flight data before the ring', () => {
    const { gate, write, seen, handle } = setup(1);
    // Restored data: the frames of another ring, copied out as an unaligned checkpoint keeps them.
    const restored = setup(1);
    restored.write(0, [100, 101]);
    const reader = restored.gate.channels[0]!.reader;
    const bytes = new Uint8Array(reader.available());
    reader.copyRange(reader.releasedPosition, (reader.releasedPosition + bytes.byteLength) >>> 0, bytes);
    gate.channels[0]!.replay = new FrameParser(bytes);
    write(0, [1, 2]);
    gate.read(handle, Infinity, host());
    expect(seen.map(([, n]) => n)).toEqual([100, 101, 1, 2]);
    expect(gate.replayedRecords).toBe(2);
  });

  it('ends a channel whose ring ended, counts its bytes, and is finished when all are', () => {
    const { gate, writers, write, seen, handle } = setup(2);
    write(0, [1]);
    write(1, [2]);
    writers[0]!.end();
    const consumed: number[] = [];
    const closed: number[] = [];
    const debloating = host({ debloat: { consumed: (bytes) => void consumed.push(bytes), closed: (channel) => void closed.push(channel) } });
    gate.read(handle, Infinity, debloating);
    expect(seen).toHaveLength(2);
    expect(consumed).toHaveLength(2);
    // The end is seen by the pass that finds the ring empty after its last frame.
    gate.read(handle, Infinity, debloating);
    expect(gate.channels[0]!.finished).toBe(true);
    expect(closed).toEqual([0]);
    expect(gate.allFinished()).toBe(false);
    writers[1]!.end();
    gate.read(handle, Infinity, debloating);
    expect(gate.allFinished()).toBe(true);
    expect(closed).toEqual([0, 1]);
  });

  it('stops when an output is backpressured, and leaves the frames for later', () => {
    const { gate, write, seen, handle } = setup(1);
    write(0, [1, 2, 3]);
    expect(gate.read(handle, Infinity, host({ backpressured: () => true }))).toBe(false);
    expect(seen).toHaveLength(0);
    gate.read(handle, Infinity, host());
    expect(seen.map(([, n]) => n)).toEqual([1, 2, 3]);
  });

  it('hands watermark frames to the event time, and stops the pass when timers must fire first', () => {
    const { gate, writers, write, seen, handle } = setup(2);
    write(0, [1]);
    writeWatermark(writers[0]!, 500);
    write(0, [2]);
    write(1, [10]);
    const watermarks: Array<[number, number]> = [];
    const busy = host({ watermarks: { onWatermark: (channel, value) => (watermarks.push([channel, value]), true), onEndOfPartition: () => false } });
    expect(gate.read(handle, Infinity, busy)).toBe(true);
    // The record after the watermark waits: the watermark's timers fire before it.
    expect(watermarks).toEqual([[0, 500]]);
    expect(seen).toEqual([[0, 1]]);
    gate.read(handle, Infinity, host());
    expect(seen.map(([, n]) => n).sort((a, b) => a - b)).toEqual([1, 2, 10]);
  });

  it('spends watermark frames of restored in-flight data, as it spends barriers', () => {
    const { gate, write, seen, handle } = setup(1);
    const restored = setup(1);
    restored.write(0, [100]);
    writeWatermark(restored.writers[0]!, 700);
    restored.write(0, [101]);
    const reader = restored.gate.channels[0]!.reader;
    const bytes = new Uint8Array(reader.available());
    reader.copyRange(reader.releasedPosition, (reader.releasedPosition + bytes.byteLength) >>> 0, bytes);
    gate.channels[0]!.replay = new FrameParser(bytes);
    write(0, [1]);
    const watermarks: number[] = [];
    gate.read(handle, Infinity, host({ watermarks: { onWatermark: (_, value) => (watermarks.push(value), false), onEndOfPartition: () => false } }));
    expect(seen.map(([, n]) => n)).toEqual([100, 101, 1]);
    expect(watermarks).toEqual([]);
  });
});
