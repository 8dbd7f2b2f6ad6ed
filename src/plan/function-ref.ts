import { OperatorLoadError } from '../errors/sluice-error.js';
import type { FunctionDefinition, FunctionKind } from '../api/functions.js';
import { isFunctionDefinition } from '../api/functions.js';

/** Where a worker finds a user function: a module URL and an export name. Serializable. */
export interface FunctionRef {
  readonly kind: FunctionKind;
  readonly moduleUrl: string;
  readonly exportName: string;
}

/**
 * Finds the export of `definition.moduleUrl` that is `definition`, so that a worker can
 * import the same module and take the same export. Throws an OperatorLoadError that names
 * the module and says what to do when the module cannot be loaded or does not export it.
 */
export async function resolveFunctionRef(definition: FunctionDefinition, operator: string): Promise<FunctionRef> {
  const { moduleUrl } = definition;
  if (/\.(c|m)?tsx?$/.test(new URL(moduleUrl).pathname)) {
    throw new OperatorLoadError(
      `operator '${operator}': its function is defined in ${moduleUrl}, a TypeScript file; worker threads on ` +
        'Node 20 load JavaScript only. Compile the module (tsc) and import the function from the .js file.',
    );
  }
  let namespace: Record<string, unknown>;
  try {
    namespace = (await import(moduleUrl)) as Record<string, unknown>;
  } catch (cause) {
    throw new OperatorLoadError(`operator '${operator}': cannot import its module ${moduleUrl}`, { cause });
  }
  for (const [exportName, value] of Object.entries(namespace)) {
    if (value === definition) return { kind: definition.kind, moduleUrl, exportName };
  }
  throw new OperatorLoadError(
    `operator '${operator}': the ${definition.kind} function defined in ${moduleUrl} is not exported from it; ` +
      'export it (export const f = define...(import.meta, ...)) so worker threads can find it',
  );
}

const loaded = new Map<string, Promise<Record<string, unknown>>>();

/** Imports the function a ref names (in a worker), checking that it is what the plan said. */
export async function loadFunction<Impl>(ref: FunctionRef, operator: string): Promise<Impl> {
  let pending = loaded.get(ref.moduleUrl);
  if (!pending) {
    pending = import(ref.moduleUrl) as Promise<Record<string, unknown>>;
    loaded.set(ref.moduleUrl, pending);
  }
  let namespace: Record<string, unknown>;
  try {
    namespace = await pending;
  } catch (cause) {
    loaded.delete(ref.moduleUrl);
    throw new OperatorLoadError(`operator '${operator}': cannot import module ${ref.moduleUrl} in a worker thread`, { cause });
  }
  const value = namespace[ref.exportName];
  if (!isFunctionDefinition(value) || value.kind !== ref.kind) {
    throw new OperatorLoadError(
      `operator '${operator}': module ${ref.moduleUrl} has no exported ${ref.kind} function named '${ref.exportName}'`,
    );
  }
  return value.impl as Impl;
}
