import { BARRIER_PAYLOAD_BYTES } from './frames.js';

/**
 * The payload of an in-band barrier frame (`FRAME_BARRIER`), built and read only here:
 *
 * | offset | size | field |
 * |---|---|---|
 * | 0 | 4 | checkpoint id (uint32, little-endian) |
 * | 4 | 4 | reserved (zero) |
 */

/** A new barrier frame payload for checkpoint `checkpointId`. */
export function encodeBarrierFrame(checkpointId: number): Uint8Array {
  const payload = new Uint8Array(BARRIER_PAYLOAD_BYTES);
  new DataView(payload.buffer).setUint32(0, checkpointId, true);
  return payload;
}

/** The checkpoint id of the barrier frame whose payload starts at `offset` in `bytes`. */
export function decodeBarrierFrame(bytes: Uint8Array, offset = 0): number {
  return new DataView(bytes.buffer, bytes.byteOffset + offset, BARRIER_PAYLOAD_BYTES).getUint32(0, true);
}
