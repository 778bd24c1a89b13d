export * from './wire.js';
export * from './api.js';
export * from './cable.js';
export * from './chat.js';
