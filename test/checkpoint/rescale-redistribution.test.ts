/**
 * The redistribution of a checkpoint to another parallelism (checkpoint/rescale.ts), without
 * workers: for a source -> hash -> keyed plan, random keyed state and random in-flight data
 * (consumer input channel state and producer output channel state) at parallelism p go to q
 * subtasks. Each new subtask gets exactly the key groups of its range and exactly the in-flight
 * records whose key group it owns, in the order each old channel held them (input state before
 * output state); every record and every entry ends up in one subtask.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrameParser } from '../../native-free-buffers/index.js';
import { numericRecords } from '../../src/api/specs.js';
import { rescaleRestore, restoreKey } from '../../src/checkpoint/rescale.js';
import { FrameWriter, forEachRecord } from '../../src/checkpoint/rescale-frames.js';
import type { JobPlan } from '../../src/plan/job-plan.js';
import type { ChannelStateSnapshot, SubtaskRestore, SubtaskSnapshot } from '../../src/runtime/deployment.js';
import { packState, unpackState } from '../../src/runtime/operator-chain.js';
import { keyGroupOf, keyGroupRange } from '../../src/state/key-groups.js';
import type { CheckpointMetadata } from '../../src/storage/index.js';

const MAX_PARALLELISM = 16;
const SHAPE = numericRecords(3);

function plan(parallelism: number): JobPlan {
  return {
    jobName: 'rescale-unit',
    maxParallelism: MAX_PARALLELISM,
    channelBytes: 4096,
    debloatTargetMs: 'off',
    vertices: [
      { id: 0, name: 'src', parallelism, slotSharingGroup: 'default', operators: [], inputs: [], outputs: [0] },
      { id: 1, name: 'keyed', parallelism, slotSharingGroup: 'default', operators: [], inputs: [0], outputs: [] },
    ],
    edges: [{ id: 0, from: 0, to: 1, partitioning: { type: 'hash', key: { type: 'field', field: 1 } }, shape: SHAPE }],
  };
}

/** Ring bytes of one frame holding `records`. */
function ringBytes(records: ReadonlyArray<readonly number[]>): Uint8Array {
  const writer = new FrameWriter(SHAPE, false);
  for (const record of records) writer.addRecord(record, 0, -1);
  return writer.bytes();
}

/** The one frame of `records`, as a producer keeps it pending: its type and payload. */
function payload(records: ReadonlyArray<readonly number[]>): { frameType: number; bytes: Uint8Array } {
  const parser = new FrameParser(ringBytes(records));
  parser.next();
  return { frameType: parser.frameType, bytes: parser.bytes.slice(parser.frameOffset, parser.frameOffset + parser.frameLength) };
}

function decodeAll(bytes: Uint8Array): number[][] {
  const records: number[][] = [];
  const parser = new FrameParser(bytes);
  while (parser.next()) forEachRecord(SHAPE, parser.frameType, parser.bytes, parser.frameOffset, parser.frameLength, (record) => void records.push(record as number[]));
  return records;
}

describe('redistribution to another parallelism', () => {
  it('key groups and in-flight records go to the subtask that owns them, each once, in channel order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 })).filter(([p, q]) => p !== q),
        fc.array(fc.integer({ min: 0, max: 200 }), { maxLength: 60 }),
        fc.array(fc.integer({ min: 0, max: 200 }), { maxLength: 60 }),
        async ([p, q], stateKeys, flightKeys) => {
          // Old state: per old keyed subtask, the keys of its range with a value.
          const parts = new Map<string, SubtaskRestore>();
          const subtasks: Array<{ operator: string; subtaskIndex: number; parallelism: number }> = [];
          let id = 0;
          const inFlight: number[][][] = []; // per (producer * p + consumer): records in order
          for (let consumer = 0; consumer < p; consumer++) {
            const range = keyGroupRange(consumer, p, MAX_PARALLELISM);
            const owned = (key: number) => {
              const group = keyGroupOf(key, MAX_PARALLELISM);
              return group >= range.start && group <= range.end;
            };
            const groups = new Map<number, Array<[number, unknown]>>();
            for (const key of new Set(stateKeys.filter(owned))) {
              const group = keyGroupOf(key, MAX_PARALLELISM);
              if (!groups.has(group)) groups.set(group, []);
              groups.get(group)!.push([key, `v${key}`]);
            }
            const keyed = packState([...groups].map(([group, entries]) => [group, [['s', entries]]]));
            const inputs: Array<{ edgeId: number; peerSubtask: number; bytes: Uint8Array }> = [];
            for (let producer = 0; producer < p; producer++) {
              const records = flightKeys.filter(owned).filter((_, index) => index % p === producer).map((key) => [id++, key, 0]);
              inFlight[producer * p + consumer] = records;
              if (records.length > 0) inputs.push({ edgeId: 0, peerSubtask: producer, bytes: ringBytes(records) });
            }
            const state: SubtaskSnapshot = { operators: [{ name: 'keyed', keyed }] };
            parts.set(restoreKey('keyed', consumer), {
              checkpointId: 1,
              state: packState(state),
              channels: inputs.length > 0 ? packState({ inputs, outputs: [] } satisfies ChannelStateSnapshot) : undefined,
            });
            subtasks.push({ operator: 'keyed', subtaskIndex: consumer, parallelism: p });
          }
          // Output channel state: every producer has one more record pending for consumer 0, after its input state.
          for (let producer = 0; producer < p; producer++) {
            const key = flightKeys.find((candidate) => keyGroupOf(candidate, MAX_PARALLELISM) <= keyGroupRange(0, p, MAX_PARALLELISM).end);
            const outputs: Array<ChannelStateSnapshot['outputs'][number]> = [];
            if (key !== undefined) {
              const record = [id++, key, 0];
              inFlight[producer * p]!.push(record);
              outputs.push({ edgeId: 0, consumer: 0, frames: [payload([record])] });
            }
            parts.set(restoreKey('src', producer), {
              checkpointId: 1,
              state: packState({ source: producer, operators: [] } satisfies SubtaskSnapshot),
              channels: outputs.length > 0 ? packState({ inputs: [], outputs } satisfies ChannelStateSnapshot) : undefined,
            });
            subtasks.push({ operator: 'src', subtaskIndex: producer, parallelism: p });
          }
          const metadata = { checkpointId: 1, subtasks } as unknown as CheckpointMetadata;

          const restored = await rescaleRestore(metadata, plan(q), parts, 'test');

          const allEntries: unknown[] = [];
          const allRecords: number[][] = [];
          for (let subtask = 0; subtask < q; subtask++) {
            const range = keyGroupRange(subtask, q, MAX_PARALLELISM);
            const part = restored.get(restoreKey('keyed', subtask))!;
            const state = unpackState<SubtaskSnapshot>(part.state!);
            const groups = unpackState<Array<[number, Array<[string, Array<[number, unknown]>]>]>>(state.operators[0]!.keyed!);
            for (const [group, states] of groups) {
              expect(group).toBeGreaterThanOrEqual(range.start);
              expect(group).toBeLessThanOrEqual(range.end);
              for (const [, entries] of states) allEntries.push(...entries);
            }
            const channels = part.channels ? unpackState<ChannelStateSnapshot>(part.channels) : { inputs: [], outputs: [] };
            expect(channels.outputs).toEqual([]);
            const records = channels.inputs.flatMap((input) => decodeAll(input.bytes));
            for (const [, key] of records) {
              const group = keyGroupOf(key!, MAX_PARALLELISM);
              expect(group >= range.start && group <= range.end).toBe(true);
            }
            allRecords.push(...records);
            // Records of one old channel keep their order (ids grow along each channel).
            for (const channel of inFlight) {
              const ids = new Set(channel.map(([recordId]) => recordId));
              const seen = records.filter(([recordId]) => ids.has(recordId!)).map(([recordId]) => recordId);
              expect(seen).toEqual(channel.map(([recordId]) => recordId).filter((recordId) => seen.includes(recordId)));
            }
            // Sources: every new subtask gets every old position to take its share from.
            const source = unpackState<SubtaskSnapshot>(restored.get(restoreKey('src', subtask))!.state!);
            expect(source.rescaledSource?.previous).toEqual(Array.from({ length: p }, (_, producer) => producer));
          }
          expect(allEntries.length).toBe(new Set(stateKeys).size);
          expect(allRecords.map(([recordId]) => recordId).sort((a, b) => a! - b!)).toEqual(inFlight.flat().map(([recordId]) => recordId).sort((a, b) => a! - b!));
        },
      ),
      { numRuns: 60, examples: [[[2, 3], [1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]]] },
    );
  });
});
