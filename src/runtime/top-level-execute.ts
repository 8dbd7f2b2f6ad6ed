/**
 * `execute()` called by the top-level code of a module that also defines the job's operators.
 * The job manager imports that module to find the operators, and an ES module whose top-level
 * code has not finished cannot be imported: the import waits for the evaluation, which waits for
 * `execute()`. Node then exits with code 13 ("unsettled top-level await") and prints nothing.
 * This finds the case and says what to do instead.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ConfigurationError } from '../errors/sluice-error.js';

/** How long an import of a module that already finished evaluating may take, at most. */
const SETTLED_IMPORT_MS = 1000;

/** Module URLs that run code without a function name on the current stack: top-level code, or anonymous callbacks. */
function unnamedFrameModules(stack: string | undefined): Set<string> {
  const modules = new Set<string>();
  for (const line of (stack ?? '').split('\n')) {
    const match = /^\s*at (?:async )?(file:\/\/\S+?):\d+:\d+$/.exec(line);
    if (match) modules.add(match[1]!);
  }
  return modules;
}

/**
 * Call synchronously at the start of `execute()`. Resolves when no operator module is still being
 * evaluated; otherwise rejects with a ConfigurationError that names the module and what to do.
 */
export async function refuseExecuteDuringModuleEvaluation(moduleUrls: ReadonlyArray<string | undefined>): Promise<void> {
  const callers = unnamedFrameModules(new Error().stack);
  const suspects = [...new Set(moduleUrls)].filter((url): url is string => url !== undefined && callers.has(url));
  for (const url of suspects) {
    // An anonymous callback in a module that finished evaluating imports at once; top-level code never.
    const settled = await Promise.race([import(url).then(() => true, () => true), sleep(SETTLED_IMPORT_MS, false)]);
    if (settled) continue;
    throw new ConfigurationError(
      `execute() was called by the top-level code of ${url}, which also defines operators of the job: sluice imports that module ` +
        'to find them (in this thread and in every worker), and a module cannot be imported before its top-level code has finished. ' +
        'Move the operators (define*) into their own module and import them, or export a function that builds the pipeline and ' +
        "run it with 'sluice run', or call execute() from a function invoked after the module has loaded",
    );
  }
}
