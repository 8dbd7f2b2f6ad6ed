/**
 * The worker side of the repetition protocol for workers whose measured loop blocks the
 * thread (the shared-memory transports): each `run` command runs one repetition to its end.
 */
import { parentPort } from 'node:worker_threads';
import type { CommandMessage, ReportMessage, Role } from './protocol.js';

/** What a blocking worker does for one repetition; returns its report to the main thread. */
export type Repetition = (command: CommandMessage) => ReportMessage;

/** Answers every `run` command of the main thread with one repetition of `repetition`. */
export function serveRepetitions(role: Role, repetition: Repetition): void {
  const port = parentPort;
  if (port === null) throw new Error('a benchmark worker must run in a worker thread');
  port.on('message', (command: CommandMessage) => {
    try {
      // The consumer says it is listening before the producer is started (see main.ts).
      if (role === 'consumer') port.postMessage({ type: 'armed' } satisfies ReportMessage);
      port.postMessage(repetition(command));
    } catch (error) {
      port.postMessage({ type: 'failed', role, message: error instanceof Error ? (error.stack ?? error.message) : String(error) } satisfies ReportMessage);
    }
  });
  port.postMessage({ type: 'ready', role } satisfies ReportMessage);
}
