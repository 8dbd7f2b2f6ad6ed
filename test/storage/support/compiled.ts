/**
 * The compiled storage module, loaded from dist/: the I/O pool starts its worker from
 * dist/src/storage/io-worker.js, next to the compiled io-pool.js, so tests of the pool (and of
 * whatever they hand the pool to) use the compiled classes. Types come from the sources. (A
 * static import of a dist/ file would make tsc read its .d.ts as an input it also emits: TS5055.)
 */
import type * as Storage from '../../../src/storage/index.js';
import { loadCompiled } from '../../support/compiled.js';

/** dist/src/storage/index.js. */
export const storage = await loadCompiled<typeof Storage>('src/storage/index.js');
