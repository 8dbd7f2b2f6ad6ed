/**
 * The compiled engine and the compiled recovery fixtures, loaded from dist/.
 *
 * Worker threads import a user function from the URL of the module that defines it, so the
 * tests must use the definitions of the compiled fixture module (dist/test/fixtures/checkpoint)
 * and the engine of the same build (dist/src), which that module imports: error classes and
 * function identities then match. The modules are loaded by URL at run time; their types come
 * from the TypeScript sources (a static import of a dist/ file would make tsc read its .d.ts as
 * an input it also emits: TS5055).
 */
import type * as Sluice from '../../../src/index.js';
import type * as Storage from '../../../src/storage/index.js';
import type * as RecoveryOps from '../../fixtures/checkpoint/recovery-ops.js';
import { loadCompiled as load } from '../../support/compiled.js';

/** The engine, from dist/src/index.js. */
export const sluice = await load<typeof Sluice>('src/index.js');
/** Checkpoint storage of the same build: listing and finding restorable checkpoints. */
export const storage = await load<typeof Storage>('src/storage/index.js');
/** The keyed tally operator of the recovery jobs. */
export const ops = await load<typeof RecoveryOps>('test/fixtures/checkpoint/recovery-ops.js');
