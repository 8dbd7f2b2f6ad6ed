/**
 * Operator uids: the stable identity that checkpoint state is matched by on restore (Flink's
 * `uid()`). A uid survives a change of chaining, parallelism or position in the job; by default
 * it is derived from the operator's name, and `{ uid }` in the operator options sets it.
 */
import { ConfigurationError } from '../errors/sluice-error.js';

const UID = /^[A-Za-z0-9._-]{1,128}$/;

/**
 * The uid derived from an operator name: runs of characters outside `[A-Za-z0-9._-]` become one
 * `-`, leading and trailing `-` are dropped (`'count -> write'` gives `'count-write'`).
 */
export function defaultOperatorUid(name: string): string {
  const uid = name
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 128);
  return uid.length === 0 || uid === '.' || uid === '..' ? `op-${Buffer.from(name, 'utf8').toString('hex').slice(0, 32)}` : uid;
}

/** Checks a uid given in operator options, or derives one from `name`; throws a ConfigurationError that says why. */
export function resolveOperatorUid(uid: unknown, name: string): string {
  if (uid === undefined) return defaultOperatorUid(name);
  if (typeof uid !== 'string' || !UID.test(uid) || uid === '.' || uid === '..') {
    throw new ConfigurationError(
      `operator '${name}': uid must be 1 to 128 letters, digits, '.', '_' or '-', got ${JSON.stringify(uid)}`,
    );
  }
  return uid;
}
