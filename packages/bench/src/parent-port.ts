import { isMessage } from './ipc.js';

/**
 * The child's side of the IPC channel to the orchestrator. Children are spawned with an 'ipc'
 * stdio entry, so `process.send` exists; without it the script was started by hand.
 */
export class ParentPort<Command extends { type: string }, Event extends { type: string }> {
  constructor() {
    if (!process.send) throw new Error('this script runs as a child of the benchmark orchestrator');
    // The orchestrator going away must end the child, whatever it was doing.
    process.on('disconnect', () => process.exit(0));
  }

  send(event: Event): void {
    process.send?.(event);
  }

  /** Calls `handler` for every command; a rejected handler is reported as `failed` and exits. */
  onCommand(handler: (command: Command) => void | Promise<void>): void {
    process.on('message', (message: unknown) => {
      if (!isMessage(message)) return;
      Promise.resolve(handler(message as Command)).catch((error: unknown) => this.fail(error));
    });
  }

  /** Reports `error` to the orchestrator and exits once the report is flushed. */
  fail(error: unknown): void {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    process.send?.({ type: 'failed', message }, () => process.exit(1));
  }
}
