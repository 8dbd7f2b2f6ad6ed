/**
 * Checks shared by the connectors' option validation. Each throws a ConfigurationError that
 * names the connector, the option and the value it got, so a user sees what to fix before
 * anything runs.
 */
import { ConfigurationError } from '../errors/index.js';

/** A short, bounded description of a value for an error message. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (typeof value === 'object' && value !== null) return 'an object';
  return String(value);
}

/** Throws unless `options` is undefined or a plain object; returns it as a record. */
export function optionsObject(connector: string, options: unknown): Record<string, unknown> {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ConfigurationError(`${connector}: options must be an object, got ${describeValue(options)}`);
  }
  return options as Record<string, unknown>;
}

/** An integer `>= min` (a safe integer), or `fallback` when undefined. */
export function integerOption(
  connector: string,
  name: string,
  value: unknown,
  { min, fallback }: { min: number; fallback?: number },
): number {
  if (value === undefined && fallback !== undefined) return fallback;
  if (!(Number.isSafeInteger(value) && (value as number) >= min)) {
    throw new ConfigurationError(
      `${connector}: options.${name} must be an integer of at least ${min}, got ${describeValue(value)}`,
    );
  }
  return value as number;
}

/** One of `allowed`, or `fallback` when undefined. */
export function choiceOption<C extends string>(
  connector: string,
  name: string,
  value: unknown,
  allowed: readonly C[],
  fallback?: C,
): C {
  if (value === undefined && fallback !== undefined) return fallback;
  if (!allowed.includes(value as C)) {
    const choices = allowed.map((choice) => `'${choice}'`).join(' or ');
    throw new ConfigurationError(`${connector}: options.${name} must be ${choices}, got ${describeValue(value)}`);
  }
  return value as C;
}

/** A non-empty string. */
export function pathOption(connector: string, name: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new ConfigurationError(`${connector}: options.${name} must be a non-empty file path, got ${describeValue(value)}`);
  }
  return value;
}

/**
 * Whether `value` is an object whose `field` is a list of pairs of non-negative safe integers
 * (the shape of a rescaled source position: byte ranges, or sequence splits).
 */
export function hasIntegerPairs(value: unknown, field: string): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const pairs = (value as Record<string, unknown>)[field];
  return (
    Array.isArray(pairs) &&
    pairs.every((pair) => Array.isArray(pair) && pair.length === 2 && pair.every((n) => Number.isSafeInteger(n) && n >= 0))
  );
}
