/**
 * The compiled engine and the compiled event-time fixtures, loaded from dist/ (worker threads
 * import user functions from the compiled modules; see test/engine/support/compiled.ts).
 */
import type * as Sluice from '../../../src/index.js';
import type * as EventTimeOps from '../../fixtures/eventtime/eventtime-ops.js';
import { loadCompiled as load } from '../../support/compiled.js';

/** The engine, from dist/src/index.js. */
export const sluice = await load<typeof Sluice>('src/index.js');
/** The event-time operators. */
export const ops = await load<typeof EventTimeOps>('test/fixtures/eventtime/eventtime-ops.js');
