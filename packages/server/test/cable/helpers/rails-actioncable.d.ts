/** The parts of @rails/actioncable (which ships no types) the tests use. */
declare module '@rails/actioncable' {
  export interface Mixin {
    connected?(this: Subscription): void;
    disconnected?(this: Subscription): void;
    rejected?(this: Subscription): void;
    received?(this: Subscription, data: unknown): void;
  }
  export interface Subscription {
    readonly identifier: string;
    perform(action: string, data?: Record<string, unknown>): boolean;
    unsubscribe(): void;
  }
  export interface Subscriptions {
    readonly subscriptions: Subscription[];
    create(channel: string | Record<string, unknown>, mixin?: Mixin): Subscription;
  }
  export interface Consumer {
    readonly subscriptions: Subscriptions;
    readonly url: string;
    connect(): boolean;
    disconnect(): void;
  }
  export const adapters: { WebSocket: unknown; logger: unknown };
  export const logger: { enabled: boolean };
  export function createConsumer(url: string | (() => string)): Consumer;
}
