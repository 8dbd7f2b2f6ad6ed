/**
 * The file piscina starts I/O threads from: a CommonJS shim that loads the ES module worker
 * with import() (see src/runtime/subtask-worker.cts for why).
 */
let worker: Promise<{ default: (task: never) => Promise<unknown> }> | undefined;

module.exports = async function runIoTask(task: never): Promise<unknown> {
  worker ??= import('./io-worker.js');
  return (await worker).default(task);
};
