/**
 * NO_CHECKPOINTS, the checkpointer of a job without checkpointing: end of partition still
 * finishes the channel; nothing else has an effect, no deadline and nothing to wait for.
 */
import { describe, expect, it } from 'vitest';
import { NO_CHECKPOINTS } from '../../src/runtime/checkpointer.js';
import type { InputChannel as CheckpointInput } from '../../src/runtime/input-channel.js';

describe('NO_CHECKPOINTS', () => {
  it('marks a channel finished at end of partition and leaves it otherwise untouched', () => {
    const input = { index: 0, finished: false, blocked: false, replay: undefined } as unknown as CheckpointInput;
    NO_CHECKPOINTS.pollAnnouncements(input);
    NO_CHECKPOINTS.onBarrier(input, 1);
    expect(input.finished).toBe(false);
    expect(input.blocked).toBe(false);
    NO_CHECKPOINTS.onEndOfPartition(input);
    expect(input.finished).toBe(true);
  });

  it('has no deadline, no waiting announcement and settles at once', async () => {
    expect(NO_CHECKPOINTS.tick()).toBe(Infinity);
    expect(NO_CHECKPOINTS.announcementWaiting()).toBe(false);
    await expect(NO_CHECKPOINTS.settled()).resolves.toBeUndefined();
    await expect(NO_CHECKPOINTS.onComplete(1)).resolves.toBeUndefined();
  });
});
