/**
 * One end of a message-port case. The producer posts either to a MessageChannel port shared
 * with the consumer worker, or (no port given) to the main thread through parentPort, which
 * then consumes. Acknowledgements come back the way the data went.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PortConsumer, PortProducer } from './port-transport.js';
import type { PortTransportOptions } from './port-transport.js';
import { assertNever } from './protocol.js';
import type { AckMessage, CommandMessage, PortWorkerData, ReportMessage } from './protocol.js';

const data = workerData as PortWorkerData;
const parent = parentPort;
if (parent === null) throw new Error('a benchmark worker must run in a worker thread');
const options: PortTransportOptions = {
  mode: data.mode,
  messageBytes: data.messageBytes,
  windowMessages: data.windowMessages,
  ackEveryMessages: data.ackEveryMessages,
  control: new Int32Array(data.control),
};

const report = (message: ReportMessage): void => parent.postMessage(message);

const fail = (error: unknown): void =>
  report({ type: 'failed', role: data.role, message: error instanceof Error ? (error.stack ?? error.message) : String(error) });

if (data.role === 'producer') {
  const producer = new PortProducer(options, data.port ?? parent);
  const onCommandOrAck = (message: CommandMessage | AckMessage): void => {
    try {
      switch (message.type) {
        case 'run':
          producer.run(message.repetition, report);
          break;
        case 'ack':
          producer.acknowledge(message);
          break;
        default:
          assertNever(message);
      }
    } catch (error) {
      fail(error);
    }
  };
  parent.on('message', onCommandOrAck);
  data.port?.on('message', onCommandOrAck);
} else {
  const port = data.port;
  if (port === undefined) throw new Error('a consumer worker needs the MessageChannel port of its producer');
  const consumer = new PortConsumer(options, port, 'MessageChannel');
  parent.on('message', (command: CommandMessage) => {
    consumer.arm(command.repetition, command.durationMs, report);
    report({ type: 'armed' });
  });
  port.on('message', (value: unknown) => {
    try {
      consumer.receive(value);
    } catch (error) {
      fail(error);
    }
  });
}
report({ type: 'ready', role: data.role });
