/**
 * What `sluice run` says about a failure the data causes (a malformed line, a record too large
 * for a channel): a restart would meet it again, so the hint says to fix the input, not to add
 * restarts; other failures keep the hint to restart.
 */
import { describe, expect, it } from 'vitest';
import type * as FailureKind from '../../src/cli/failure-kind.js';
import { loadCompiled } from '../support/compiled.js';

const { deterministicFailure } = await loadCompiled<typeof FailureKind>('src/cli/failure-kind.js');

describe('deterministic failures', () => {
  it('finds a malformed record or an oversize record in the cause chain', () => {
    const malformed = Object.assign(new Error('line 7 of in.ndjson is not JSON'), { code: 'SLUICE_MALFORMED_INPUT' });
    expect(deterministicFailure(new Error('operator failed', { cause: malformed }))).toBe('the input holds a malformed record');
    const oversize = new RangeError("a record of 900000 encoded bytes exceeds the channel's frame limit of 262144 bytes");
    expect(deterministicFailure(new Error('operator failed', { cause: oversize }))).toBe('a record is larger than a channel frame');
  });

  it('leaves other failures to restarts', () => {
    expect(deterministicFailure(new Error('operator failed', { cause: new Error('connection reset') }))).toBeUndefined();
  });
});
