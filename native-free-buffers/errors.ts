/**
 * Errors thrown by native-free-buffers. Each has a stable `code`; messages say what was
 * wrong and what to do.
 */

/** Base class of every error native-free-buffers throws on purpose. */
export class BuffersError extends Error {
  /** Stable machine-readable code. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A frame larger than the ring's maximum frame size. */
export class FrameTooLargeError extends BuffersError {
  constructor(payloadBytes: number, maxPayloadBytes: number) {
    super(
      'SLUICE_FRAME_TOO_LARGE',
      `frame payload of ${payloadBytes} bytes exceeds this ring's maximum of ${maxPayloadBytes} bytes; ` +
        'split the payload or create the ring with a larger maxFrameBytes (at most half its capacity)',
    );
  }
}

/** The consumer cancelled the channel: the producer must stop writing. */
export class RingCancelledError extends BuffersError {
  constructor() {
    super('SLUICE_RING_CANCELLED', 'the consumer cancelled this channel; the producer must stop writing to it');
  }
}

/** A write after the producer ended the stream. */
export class RingEndedError extends BuffersError {
  constructor() {
    super('SLUICE_RING_ENDED', 'this channel was ended by its producer; no frame may be written after end()');
  }
}

/** A SharedArrayBuffer that does not hold a ring or a doorbell of this layout. */
export class LayoutError extends BuffersError {
  constructor(message: string) {
    super('SLUICE_BUFFER_LAYOUT', message);
  }
}
