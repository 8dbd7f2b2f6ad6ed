/**
 * The file piscina starts subtask threads from. piscina require()s its filename before it
 * tries import(); Node 20's require() of an ES module intermittently fails an internal
 * assertion in worker threads, so this CommonJS shim loads the ES module with import().
 */
let entry: Promise<{ default: (deployment: never) => Promise<unknown> }> | undefined;

module.exports = async function runSubtask(deployment: never): Promise<unknown> {
  entry ??= import('./subtask-entry.js');
  return (await entry).default(deployment);
};
