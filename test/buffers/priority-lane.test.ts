/**
 * Priority lane: small `{kind, id, position}` messages, first in first out, visible to the
 * reader at once — ahead of queued, even unpublished, frames; tryPostPriority returns false
 * when every slot is taken. Posting rings the consumer's doorbell, polling the producer's.
 */
import { describe, expect, it } from 'vitest';
import { Doorbell, RingReader, RingWriter, allocateRing, frameBytes } from '../../native-free-buffers/index.js';
import { bytesFrom, openRing, readAll } from './support/rings.js';

function pollAll(reader: RingReader): [number, number, number][] {
  const messages: [number, number, number][] = [];
  while (reader.pollPriority()) messages.push([reader.priorityKind, reader.priorityId, reader.priorityPosition]);
  return messages;
}

describe('priority lane', () => {
  it('delivers messages first in first out, with their kind, id and position', () => {
    const { writer, reader } = openRing({ capacity: 64, prioritySlots: 8 });
    expect(reader.pollPriority()).toBe(false);
    for (let i = 1; i <= 8; i++) expect(writer.tryPostPriority(i % 3, i, i * 8)).toBe(true);
    expect(pollAll(reader)).toEqual(Array.from({ length: 8 }, (_, k) => [(k + 1) % 3, k + 1, (k + 1) * 8]));
    expect(reader.pollPriority()).toBe(false);
  });

  it('returns false when the lane is full, and takes a message again once one is polled', () => {
    const { writer, reader } = openRing({ capacity: 64, prioritySlots: 2 });
    expect(writer.tryPostPriority(1, 1, 0)).toBe(true);
    expect(writer.tryPostPriority(1, 2, 0)).toBe(true);
    expect(writer.tryPostPriority(1, 3, 0)).toBe(false);
    expect(reader.pollPriority()).toBe(true);
    expect(reader.priorityId).toBe(1);
    expect(writer.tryPostPriority(1, 3, 0)).toBe(true);
    expect(writer.tryPostPriority(1, 4, 0)).toBe(false);
    expect(pollAll(reader).map(([, id]) => id)).toEqual([2, 3]);
  });

  it('stays FIFO through many trips around a one-slot and a four-slot lane', () => {
    for (const prioritySlots of [1, 4]) {
      const { writer, reader } = openRing({ capacity: 64, prioritySlots });
      let next = 1;
      let expected = 1;
      for (let round = 0; round < 100; round++) {
        while (writer.tryPostPriority(7, next, next * 8)) next++;
        for (const [kind, id, position] of pollAll(reader)) {
          expect([kind, id, position]).toEqual([7, expected, expected * 8]);
          expected++;
        }
      }
      expect(expected).toBe(100 * prioritySlots + 1);
    }
  });

  it('is visible before queued data, published or not', () => {
    const { writer, reader } = openRing({ capacity: 256 }, { publishEveryBytes: Infinity });
    writer.tryWrite(bytesFrom(0, 8), 1);
    writer.publish();
    writer.tryWrite(bytesFrom(0, 8), 2); // not published
    const announced = writer.position;
    expect(writer.tryPostPriority(1, 42, announced)).toBe(true);
    // The reader has not read a frame, and the second frame is not even visible yet.
    expect(reader.pollPriority()).toBe(true);
    expect([reader.priorityId, reader.priorityPosition]).toEqual([42, 2 * frameBytes(8)]);
    expect(reader.available()).toBe(frameBytes(8));
  });

  it('carries positions as uint32, past 2^31', () => {
    const { writer, reader } = openRing({ capacity: 64 });
    writer.tryPostPriority(1, 2 ** 31 - 1, 2 ** 32 - 8);
    reader.pollPriority();
    expect(reader.priorityId).toBe(2 ** 31 - 1);
    expect(reader.priorityPosition).toBe(2 ** 32 - 8);
  });

  it('rings the consumer doorbell on post and the producer doorbell on poll', () => {
    const consumerDoorbell = Doorbell.allocate();
    const producerDoorbell = Doorbell.allocate();
    const consumerBell = new Doorbell(consumerDoorbell);
    const producerBell = new Doorbell(producerDoorbell);
    const ring = allocateRing({ capacity: 64 });
    const writer = new RingWriter(ring, { consumerDoorbell });
    const reader = new RingReader(ring, { producerDoorbell });
    writer.tryPostPriority(1, 1, 0);
    expect(consumerBell.sample()).toBe(1);
    reader.pollPriority();
    expect(producerBell.sample()).toBe(1);
    reader.pollPriority(); // empty: no ring
    expect(producerBell.sample()).toBe(1);
  });

  it('lets a reader that loads the write position before the lane stop before data that follows an unseen announcement', () => {
    // tryRead reloads the write position by itself when it catches up, so a reader that honours
    // announcements bounds it with the write position it loaded before polling the lane.
    const { writer, reader } = openRing({ capacity: 256 });
    writer.tryWrite(bytesFrom(0, 8), 1);
    writer.publish();
    const written = reader.writePosition();
    expect(reader.pollPriority()).toBe(false);
    // Meanwhile the producer announces at its position and writes on.
    writer.tryPostPriority(1, 1, writer.position);
    writer.tryWrite(bytesFrom(0, 8), 2);
    writer.publish();
    reader.setReadLimit(written);
    expect(readAll(reader).map((f) => f.type)).toEqual([1]);
    // Next round: the write position first, then the lane, which now holds the announcement.
    const next = reader.writePosition();
    expect(reader.pollPriority()).toBe(true);
    expect(reader.priorityPosition).toBe(reader.position);
    expect(next).toBe(2 * frameBytes(8));
  });
});
