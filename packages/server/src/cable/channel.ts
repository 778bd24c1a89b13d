import type { z } from 'zod';

/** The signed-in identity a connection carries (set when it opens, never from a payload). */
export interface CableIdentity {
  userId: string;
  sessionId: string;
  /** When the session ends, ms since epoch: the connection is closed then. */
  expiresAt: number;
}

/** What a channel may do to the connection it lives on. Implemented by Connection. */
export interface SubscriptionHost {
  readonly identity: CableIdentity;
  streamFrom(identifier: string, stream: string): void;
  stopStreamFrom(identifier: string, stream: string): void;
  transmit(identifier: string, message: object): void;
}

/**
 * An action, called with the client's data and the subscription's channel. Handlers are shared
 * by every subscription of a channel class (one record, not closures per subscription): a server
 * holds many idle subscriptions, and each one's memory counts.
 */
export type ActionHandler = (
  data: Record<string, unknown>,
  channel: Channel,
) => Promise<void> | void;

/**
 * A channel, as in Rails ActionCable: one instance per subscription. `subscribed` decides
 * whether the subscription stands (call `reject()` to refuse) and which streams it follows;
 * `actions` lists what the client may perform, and nothing else can be called.
 */
export abstract class Channel {
  readonly identifier: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly #host: SubscriptionHost;
  #rejected = false;
  readonly #streams = new Set<string>();
  /**
   * Streams taken away by the server (a member removed) while the subscription was still being
   * made: a `subscribed()` that raced the removal must not start following them again. Kept only
   * until the subscription is confirmed.
   */
  #dropped: Set<string> | undefined;
  #confirmed = false;

  constructor(
    host: SubscriptionHost,
    identifier: string,
    params: Readonly<Record<string, unknown>>,
  ) {
    this.#host = host;
    this.identifier = identifier;
    this.params = params;
  }

  /** The actions a client may perform on this channel, by name (a shared record). */
  abstract get actions(): Readonly<Record<string, ActionHandler>>;

  /**
   * Whether durable broadcasts reach this subscription with their stream positions and can be
   * replayed by ext `history`. A channel that follows many streams turns it off: its client
   * recovers by other means, and a history request naming every stream would outgrow a frame.
   */
  get streamPositions(): boolean {
    return true;
  }

  get userId(): string {
    return this.#host.identity.userId;
  }

  get sessionId(): string {
    return this.#host.identity.sessionId;
  }

  /** Refused by the channel, or left with nothing to follow after the server took streams away. */
  get rejected(): boolean {
    return this.#rejected || (this.#streams.size === 0 && this.#dropped !== undefined);
  }

  get streams(): ReadonlySet<string> {
    return this.#streams;
  }

  /** Runs when a client subscribes. Throwing or calling `reject()` refuses the subscription. */
  subscribed(): Promise<void> | void {
    // Accept by default.
  }

  /** Runs when the subscription ends (unsubscribe, disconnect, or removal by the server). */
  unsubscribed(): void {
    // Nothing by default.
  }

  /**
   * The server asks this subscription to follow one more stream (e.g. a room its user joined).
   * Returns whether the channel took it; by default a channel follows only what it chose.
   */
  follow(_stream: string): boolean {
    return false;
  }

  /**
   * The server takes `stream` away from this subscription (its user left the room). Returns
   * whether the subscription followed it; one left with no stream is ended by the caller.
   */
  dropStream(stream: string): boolean {
    if (!this.#confirmed) (this.#dropped ??= new Set()).add(stream);
    if (!this.#streams.delete(stream)) return false;
    this.#host.stopStreamFrom(this.identifier, stream);
    return true;
  }

  /** Called by the connection when the subscription is confirmed: no race is left to guard. */
  markConfirmed(): void {
    this.#confirmed = true;
    this.#dropped = undefined;
  }

  protected reject(): void {
    this.#rejected = true;
  }

  protected streamFrom(stream: string): void {
    if (this.#dropped?.has(stream)) return;
    this.#streams.add(stream);
    this.#host.streamFrom(this.identifier, stream);
  }

  /** Follows `stream` again after the server took it away (the user was added back). */
  protected resumeStream(stream: string): void {
    this.#dropped?.delete(stream);
    this.streamFrom(stream);
  }

  protected stopStreamFrom(stream: string): void {
    this.#streams.delete(stream);
    this.#host.stopStreamFrom(this.identifier, stream);
  }

  /** Sends a message to this subscription only. */
  protected transmit(message: object): void {
    this.#host.transmit(this.identifier, message);
  }
}

/**
 * A channel as the cable knows it: the identifier params it accepts, exactly (a strict schema:
 * unknown keys are refused), and how to make one subscription's channel from them.
 */
export interface ChannelDefinition {
  /** Returns the channel, or undefined when `params` are not exactly what the channel accepts. */
  create(host: SubscriptionHost, identifier: string, params: unknown): Channel | undefined;
}

/** A definition from a strict params schema and a constructor that receives parsed params. */
export function defineChannel<S extends z.ZodType<{ channel: string }>>(
  params: S,
  make: (host: SubscriptionHost, identifier: string, params: z.output<S>) => Channel,
): ChannelDefinition {
  return {
    create(host, identifier, raw) {
      const parsed = params.safeParse(raw);
      return parsed.success ? make(host, identifier, parsed.data) : undefined;
    },
  };
}
