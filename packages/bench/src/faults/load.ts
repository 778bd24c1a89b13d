import { randomBytes } from 'node:crypto';
import { smsToFake, WIDE_LIMITS } from '../../../server/test/helpers/test-env.js';
import type { TwilioFake } from '../../../server/test/helpers/twilio-fake.js';
import { createGroup, signIn, type Account } from './accounts.js';
import { CableSender } from './cable-sender.js';
import { HttpSender } from './http-sender.js';
import { Ledger } from './ledger.js';

/** Settings every fault node shares: SMS to the fake, wide limits, one secret for all starts. */
export function nodeEnv(sms: TwilioFake, secret: string): Record<string, string> {
  return {
    ...smsToFake(sms),
    ...WIDE_LIMITS,
    SALON_CABLE_COMMANDS_PER_SECOND: '10000',
    SALON_CABLE_COMMAND_BURST: '10000',
    SALON_SECRET: secret,
    SALON_LOG_LEVEL: 'warn',
  };
}

export const newSecret = (): string => randomBytes(32).toString('base64url');

export interface LoadOptions {
  /** Where each client connects, asked at every (re)connection: clients may move between nodes. */
  urls: (clientIndex: number) => string;
  httpSenders: number;
  cableSenders: number;
  /** Messages per second per sender. */
  perSecond: number;
  /** Members of the group who only listen (the soak's churning connections). Default 0. */
  listeners?: number;
}

/**
 * Steady traffic into one group: HTTP senders and WebSocket senders, each person sending with
 * their own client_ids, all writing into one ledger.
 */
export class Load {
  readonly ledger = new Ledger();
  readonly roomId: string;
  /** Account id → name: the database knows ids, the ledger names. */
  readonly names: Map<string, string>;
  /** The group's members who do not send. */
  readonly listeners: Account[];
  readonly #http: HttpSender[];
  readonly #cable: CableSender[];

  private constructor(roomId: string, people: Account[], opts: LoadOptions) {
    this.roomId = roomId;
    const senders = opts.httpSenders + opts.cableSenders;
    this.listeners = people.slice(senders);
    people = people.slice(0, senders);
    this.names = new Map(people.map((p) => [p.id, p.name]));
    const per = opts.perSecond;
    this.#http = people.slice(0, opts.httpSenders).map(
      (who, i) =>
        new HttpSender({
          who,
          roomId,
          ledger: this.ledger,
          baseUrl: () => opts.urls(i),
          perSecond: per,
        }),
    );
    this.#cable = people.slice(opts.httpSenders).map(
      (who, j) =>
        new CableSender({
          who,
          roomId,
          ledger: this.ledger,
          wsUrl: () => opts.urls(opts.httpSenders + j).replace(/^http/, 'ws'),
          perSecond: per,
        }),
    );
  }

  /** Signs the senders in on `signInUrl` and makes their group. */
  static async prepare(signInUrl: string, sms: TwilioFake, opts: LoadOptions): Promise<Load> {
    const people: Account[] = [];
    for (let i = 0; i < opts.httpSenders; i++)
      people.push(await signIn(signInUrl, sms, `http${String(i)}`));
    for (let i = 0; i < opts.cableSenders; i++)
      people.push(await signIn(signInUrl, sms, `cable${String(i)}`));
    for (let i = 0; i < (opts.listeners ?? 0); i++)
      people.push(await signIn(signInUrl, sms, `listener${String(i)}`));
    const roomId = await createGroup(signInUrl, people);
    return new Load(roomId, people, opts);
  }

  start(): void {
    for (const s of this.#http) s.start();
    for (const s of this.#cable) s.start();
  }

  /** Stops new sends; what is unacknowledged is retried for up to `graceMs`. */
  async stop(graceMs: number): Promise<void> {
    await Promise.all([...this.#http, ...this.#cable].map((s) => s.stop(graceMs)));
  }

  /** WebSocket connections opened in all (the first ones and every reconnection). */
  get cableConnects(): number {
    return this.#cable.reduce((n, s) => n + s.connects, 0);
  }
}
