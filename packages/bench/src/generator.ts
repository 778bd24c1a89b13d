import type { WebSocket } from 'ws';
import type { DeliverySink } from './clients/delivery-sink.js';
import { openClient } from './clients/open-client.js';
import { DeliveryWindow } from './delivery-window.js';
import type { GeneratorCommand, GeneratorEvent } from './ipc.js';
import { ParentPort } from './parent-port.js';

// The load generator: every receiving client of a trial, in this one process (pinned to its own
// core by the orchestrator). It counts each delivery into the current window.

const port = new ParentPort<GeneratorCommand, GeneratorEvent>();
const sockets: WebSocket[] = [];
let clients = 0;
let window = new DeliveryWindow(0, 0, 0, false);
let completeSent = true;

function sinkFor(client: number): DeliverySink {
  return {
    delivery(payload, receivedAt, bytes) {
      if (window.delivery(client, payload, receivedAt, bytes) && !completeSent) {
        completeSent = true;
        port.send({ type: 'complete' });
      }
    },
    other: () => window.other(),
    closed: () => window.closed(),
  };
}

port.onCommand(async (command) => {
  switch (command.type) {
    case 'connect': {
      const started = performance.now();
      clients = command.clients;
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < clients) {
          const index = next++;
          sockets[index] = await openClient(command.connect, index, sinkFor(index));
        }
      };
      await Promise.all(Array.from({ length: command.concurrency }, worker));
      port.send({
        type: 'connected',
        clients: sockets.length,
        elapsed_ms: Math.round(performance.now() - started),
      });
      return;
    }
    case 'expect':
      window = new DeliveryWindow(clients, command.from_seq, command.to_seq, command.record);
      completeSent = window.complete;
      port.send({ type: 'expecting' });
      return;
    case 'report':
      port.send({ type: 'report', report: window.report() });
      return;
  }
});
