/**
 * The compiled engine and the compiled engine fixtures, loaded from dist/.
 *
 * Worker threads import a user function from the URL of the module that defines it, so the
 * tests must use the definitions of the compiled fixture modules (dist/test/fixtures/engine),
 * and the engine of the same build (dist/src), which those modules import. The modules are
 * loaded by URL at run time; their types come from the TypeScript sources. (A static import of
 * a dist/ file would make tsc read its .d.ts as an input it also emits: TS5055.)
 */
import type * as Sluice from '../../../src/index.js';
import type * as Failures from '../../fixtures/engine/failures.js';
import type * as Ops from '../../fixtures/engine/ops.js';
import type * as Sinks from '../../fixtures/engine/sinks.js';
import type * as Sources from '../../fixtures/engine/sources.js';
import { loadCompiled as load } from '../../support/compiled.js';

/** The engine, from dist/src/index.js. */
export const sluice = await load<typeof Sluice>('src/index.js');
/** Operator functions of the correctness tests. */
export const ops = await load<typeof Ops>('test/fixtures/engine/ops.js');
/** Sources over arrays, endless sources, a failing source. */
export const sources = await load<typeof Sources>('test/fixtures/engine/sources.js');
/** Collecting, counting and failing sinks. */
export const sinks = await load<typeof Sinks>('test/fixtures/engine/sinks.js');
/** Functions that throw, exit their thread, or are not exported. */
export const failures = await load<typeof Failures>('test/fixtures/engine/failures.js');
