/**
 * The compiled storage module, loaded from dist/: the I/O pool starts its worker from
 * dist/src/storage/io-worker.js, next to the compiled io-pool.js, so tests of the pool (and of
 * whatever they hand the pool to) use the compiled classes. Types come from the sources. (A
 * static import of a dist/ file would make tsc read its .d.ts as an input it also emits: TS5055.)
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type * as Storage from '../../../src/storage/index.js';

const url = new URL('../../../dist/src/storage/index.js', import.meta.url);
if (!existsSync(fileURLToPath(url))) {
  throw new Error(`${fileURLToPath(url)} does not exist: build first (npx tsc -p tsconfig.json, or npm test)`);
}

/** dist/src/storage/index.js. */
export const storage = (await import(url.href)) as typeof Storage;
