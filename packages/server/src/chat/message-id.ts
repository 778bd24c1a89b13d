import { randomUUID } from 'node:crypto';

/**
 * A new message id: a UUIDv7 (RFC 9562), whose first 48 bits are the time in milliseconds.
 * Ids made close in time sort close together, so each insert lands at the end of the primary-key
 * index instead of on a random page of it, and a batch of a thousand messages dirties a handful
 * of index pages rather than one per message. The time it spells is the message's created_at,
 * which everyone who can read the message sees anyway.
 *
 * Built from Node's randomUUID() (random bits from a pooled buffer, variant already set): its
 * first 12 hex digits become the time and its version digit becomes 7. About ten times cheaper
 * than generating the 74 random bits on their own.
 */
export function newMessageId(now = Date.now()): string {
  const random = randomUUID();
  const time = now.toString(16).padStart(12, '0');
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${random.slice(15)}`;
}
