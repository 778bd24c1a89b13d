/** The signed-in identity a connection carries (set when it opens, never from a payload). */
export interface CableIdentity {
  userId: string;
  sessionId: string;
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

  get userId(): string {
    return this.#host.identity.userId;
  }

  get sessionId(): string {
    return this.#host.identity.sessionId;
  }

  get rejected(): boolean {
    return this.#rejected;
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

  protected reject(): void {
    this.#rejected = true;
  }

  protected streamFrom(stream: string): void {
    this.#streams.add(stream);
    this.#host.streamFrom(this.identifier, stream);
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

/** Makes the channel for one subscription; registered by channel name. */
export type ChannelFactory = (
  host: SubscriptionHost,
  identifier: string,
  params: Readonly<Record<string, unknown>>,
) => Channel;
