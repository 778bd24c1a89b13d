/**
 * The zod-free half of the protocol: constants, error codes and the types of what the server
 * sends. Clients import this entry (`@salon/protocol/wire`) so that the server's validators, and
 * zod with them, stay out of a browser bundle; the root entry re-exports it for the server.
 */
export * from './error-codes.js';
export * from './api-views.js';
export * from './cable-frames.js';
export * from './chat-views.js';
