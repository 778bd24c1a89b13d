export * from './error-codes.js';
export * from './api.js';
export * from './cable.js';
export * from './chat.js';
