/** The few parts of `@rails/actioncable` (which ships no types) these tests drive. */
declare module '@rails/actioncable' {
  export interface Subscription {
    perform(action: string, data?: object): boolean;
    unsubscribe(): void;
  }
  export interface SubscriptionCallbacks {
    connected?(): void;
    disconnected?(): void;
    rejected?(): void;
    received?(data: unknown): void;
  }
  export interface Consumer {
    subscriptions: {
      create(params: Record<string, string>, callbacks: SubscriptionCallbacks): Subscription;
    };
    disconnect(): void;
  }
  export function createConsumer(url: string | (() => string)): Consumer;
  export const adapters: { WebSocket: unknown; logger: unknown };
  export const logger: { enabled: boolean };
}
