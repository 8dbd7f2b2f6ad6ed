/**
 * The part of zstd-codec 0.1.5 (CommonJS, no types of its own) that sluice uses: the one-shot
 * `Simple` API. Its `Streaming` classes leak WebAssembly memory and are deliberately not declared.
 */
declare module 'zstd-codec' {
  /** One-shot compression inside the module's fixed 16 MiB WebAssembly heap. */
  export interface ZstdSimple {
    /** A zstd frame with its content size, or null if zstd reported an error; throws a string on abort (OOM). */
    compress(content: Uint8Array, level?: number): Uint8Array | null;
    /** The content of a frame that records its content size, or null (also for empty content). */
    decompress(frame: Uint8Array): Uint8Array | null;
  }

  /** What `ZstdCodec.run` hands its callback once the WebAssembly module is ready. */
  export interface ZstdBinding {
    readonly Simple: new () => ZstdSimple;
  }

  const zstdCodec: {
    readonly ZstdCodec: {
      /** Instantiates a new WebAssembly module (its own heap) and calls `callback` when it is ready. */
      run(callback: (zstd: ZstdBinding) => void): void;
    };
  };
  export default zstdCodec;
}
