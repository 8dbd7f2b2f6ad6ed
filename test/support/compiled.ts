/**
 * Compiled files of this repository, in dist/. Worker threads on Node 20 start from JavaScript
 * only, and a user function is found again by the URL of its module, so tests load the engine
 * and their fixtures from the build. (A static import of a dist/ file would make tsc read its
 * .d.ts as an input it also emits: TS5055; types come from the TypeScript sources instead.)
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const DIST = new URL('../../dist/', import.meta.url);

/** Absolute path of `relative` (e.g. `test/fixtures/buffers/x.js`) in dist/; throws if it was not built. */
export function compiledPath(relative: string): string {
  const file = fileURLToPath(new URL(relative, DIST));
  if (!existsSync(file)) throw new Error(`${file} does not exist: build first (npx tsc -p tsconfig.json, or npm test)`);
  return file;
}

/** Imports the compiled module at `relative` in dist/. */
export async function loadCompiled<T>(relative: string): Promise<T> {
  compiledPath(relative);
  return (await import(new URL(relative, DIST).href)) as T;
}
