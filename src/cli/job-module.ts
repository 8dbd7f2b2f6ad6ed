import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Pipeline } from '../api/pipeline.js';
import { ConfigurationError } from '../errors/sluice-error.js';

/** What `sluice run` hands a job module's default export. */
export interface JobArguments {
  /** `--parallelism`, or the default 1. */
  readonly parallelism: number;
  /** Every other `--name value` option (and `--flag` as `true`). */
  readonly options: Readonly<Record<string, string | boolean>>;
}

/**
 * A job module exports, as default, a function that builds the pipeline:
 * `export default function (args: JobArguments): Pipeline | Promise<Pipeline>`.
 */
export type JobModule = (args: JobArguments) => Pipeline | Promise<Pipeline>;

const EXAMPLES = new Map([
  ['word-count', '../examples/word-count.js'],
  ['sessions', '../examples/sessions.js'],
]);

/** Finds a job module by path, or by the name of a bundled example. */
export function resolveJobModule(specifier: string): string {
  const example = EXAMPLES.get(specifier);
  if (example) return new URL(example, import.meta.url).href;
  const file = path.resolve(specifier);
  if (!existsSync(file)) {
    throw new ConfigurationError(
      `job module '${specifier}' not found (looked for ${file}); give the path of a compiled .js job module, ` +
        `or one of the bundled examples: ${[...EXAMPLES.keys()].join(', ')}`,
    );
  }
  if (/\.(c|m)?tsx?$/.test(file)) {
    throw new ConfigurationError(`job module ${file} is TypeScript; compile it with tsc and run the .js file`);
  }
  return pathToFileURL(file).href;
}

/** Imports a job module and builds its pipeline. */
export async function loadJob(url: string, args: JobArguments): Promise<Pipeline> {
  let namespace: { default?: unknown };
  try {
    namespace = (await import(url)) as { default?: unknown };
  } catch (cause) {
    // A syntax error's message names neither the file nor the line: say which module failed.
    const where = cause instanceof SyntaxError ? syntaxErrorLocation(cause, url) : '';
    throw new ConfigurationError(
      `could not load job module ${where || fileURLToPath(url)}: ${cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause)}`,
      { cause },
    );
  }
  if (typeof namespace.default !== 'function') {
    throw new ConfigurationError(`job module ${url} must export a default function that returns a Pipeline`);
  }
  const pipeline = await (namespace.default as JobModule)(args);
  if (!(pipeline instanceof Pipeline)) {
    throw new ConfigurationError(`the default export of ${url} returned ${typeof pipeline}, not a Pipeline`);
  }
  return pipeline;
}

/**
 * Where a syntax error is, as `<file>:<line>`: an ES module's SyntaxError from import() names
 * neither, so `node --check` is asked (it prints `<file>:<line>` first).
 */
function syntaxErrorLocation(_error: SyntaxError, url: string): string {
  const file = fileURLToPath(url);
  const checked = spawnSync(process.execPath, ['--check', file], { encoding: 'utf8', timeout: 10_000 });
  const first = checked.stderr?.split('\n')[0]?.trim() ?? '';
  return first.startsWith(file) ? first : '';
}
