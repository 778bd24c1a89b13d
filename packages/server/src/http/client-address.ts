import type { IncomingMessage } from 'node:http';
import proxyAddr from '@fastify/proxy-addr';
import type { Config } from '../config.js';

/** The client's address for a raw request (a WebSocket upgrade), as Fastify's `request.ip`. */
export type ClientAddress = (req: IncomingMessage) => string;

/**
 * Reads the client address the way Fastify does for routes (SALON_TRUST_PROXY: X-Forwarded-For
 * from the right, past trusted hops only), for requests that never reach a route.
 */
export function clientAddress(trust: Config['trustProxy']): ClientAddress {
  const trusted: (address: string, hop: number) => boolean =
    trust === false
      ? () => false
      : typeof trust === 'number'
        ? (_address, hop) => hop < trust
        : proxyAddr.compile(trust);
  return (req) => proxyAddr(req, trusted);
}
