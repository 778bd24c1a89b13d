import { useEffect, useState } from 'react';
import { errorText } from '../lib/error-text.js';
import type { Contact } from '../sdk.js';
import { useClient } from './use-client.js';

/** Typing pauses this long (ms) before the server is asked: one request per pause, not per key. */
const DEBOUNCE_MS = 200;

export interface ContactsResult {
  /** The people matching `query` (all, up to `limit`, for an empty one); null while loading. */
  contacts: readonly Contact[] | null;
  error: string | null;
}

/**
 * People I share an accepted room with, matching `query` by name or number, from the server
 * (it knows the people of every room, not only the loaded page of the list).
 */
export function useContacts(query: string, enabled = true, limit = 20): ContactsResult {
  const client = useClient();
  const [result, setResult] = useState<ContactsResult>({ contacts: null, error: null });
  const q = query.trim();

  useEffect(() => {
    if (!enabled) return;
    let cancelled = false;
    const timer = setTimeout(() => {
      client.contacts(q, limit).then(
        (contacts) => {
          if (!cancelled) setResult({ contacts, error: null });
        },
        (err: unknown) => {
          if (!cancelled) setResult({ contacts: [], error: errorText(err) });
        },
      );
    }, DEBOUNCE_MS);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [client, q, enabled, limit]);

  return result;
}
