/**
 * The user's own stack frame of an error thrown in an operator: the first frame that is neither
 * Node's nor sluice's, so a failure message points at the line in the job's code.
 */
import { fileURLToPath } from 'node:url';

/** sluice's compiled sources (dist/src/), as file paths and URLs appear in stack frames. */
const ENGINE_URL = new URL('../', import.meta.url).href;
const ENGINE_PATH = fileURLToPath(ENGINE_URL);

/** `file:line:column` of the first user frame of `stack`, or undefined when there is none. */
export function userFrame(stack: string | undefined): string | undefined {
  if (!stack) return undefined;
  for (const line of stack.split('\n')) {
    const trimmed = line.trim();
    if (!trimmed.startsWith('at ')) continue;
    const location = /\(([^()]+)\)$/.exec(trimmed)?.[1] ?? trimmed.slice(3);
    if (location.startsWith('node:') || location.includes('node_modules') || location.startsWith(ENGINE_URL) || location.startsWith(ENGINE_PATH)) continue;
    if (location === '<anonymous>' || location === 'native') continue;
    return location.startsWith('file://') ? fileURLToPath(location.replace(/:\d+:\d+$/, '')) + (/:\d+:\d+$/.exec(location)?.[0] ?? '') : location;
  }
  return undefined;
}
