import type { SmsProvider } from './sms-provider.js';

/**
 * The default provider for a server on one machine: prints each text on stdout, so whoever runs
 * `npm start` can read the code. This is the only place a code is ever written out.
 */
export class ConsoleSmsProvider implements SmsProvider {
  readonly name = 'console';
  readonly #write: (line: string) => void;

  constructor(write: (line: string) => void = (line) => process.stdout.write(line)) {
    this.#write = write;
  }

  send(to: string, body: string): Promise<void> {
    this.#write(`\n[SMS to ${to}] ${body}\n\n`);
    return Promise.resolve();
  }
}
