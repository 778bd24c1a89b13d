export { SalonClient } from './salon-client.js';
export { SalonApiError } from './api-client.js';
export type { Conversation } from './conversation.js';
export { LongPollingTransport } from './long-polling-transport.js';
export type * from './types.js';
