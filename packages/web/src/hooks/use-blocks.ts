import { useCallback, useEffect, useState } from 'react';
import { errorText } from '../lib/error-text.js';
import type { BlockedPerson } from '../sdk.js';
import { useAction } from './use-action.js';
import { useClient } from './use-client.js';

export interface Blocks {
  /** Null until loaded. */
  blocked: readonly BlockedPerson[] | null;
  error: string | null;
  /** The id being blocked or unblocked, while the call runs. */
  busy: string | null;
  isBlocked: (userId: string) => boolean;
  block: (person: { id: string; name: string | null; phone: string }) => Promise<boolean>;
  unblock: (userId: string) => Promise<boolean>;
}

/**
 * The people I blocked, loaded when a screen that shows them opens (the server tells no one,
 * not even my other screens, so there is nothing live to follow), with block and unblock.
 */
export function useBlocks(): Blocks {
  const client = useClient();
  const [blocked, setBlocked] = useState<readonly BlockedPerson[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const { busy, error, run: runAction } = useAction<string>();
  // A block or unblock starts afresh: the list's load error goes with any earlier failure.
  const run = useCallback(
    (userId: string, action: () => Promise<void>) => {
      setLoadError(null);
      return runAction(userId, action);
    },
    [runAction],
  );

  useEffect(() => {
    let cancelled = false;
    client.blocked().then(
      (list) => {
        if (!cancelled) setBlocked(list);
      },
      (err: unknown) => {
        if (!cancelled) setLoadError(errorText(err));
      },
    );
    return () => {
      cancelled = true;
    };
  }, [client]);

  const block = useCallback(
    (person: { id: string; name: string | null; phone: string }) =>
      run(person.id, async () => {
        await client.block(person.id);
        const entry: BlockedPerson = { ...person, blocked_at: new Date().toISOString() };
        setBlocked((list) => [entry, ...(list ?? []).filter((p) => p.id !== person.id)]);
      }),
    [client, run],
  );
  const unblock = useCallback(
    (userId: string) =>
      run(userId, async () => {
        await client.unblock(userId);
        setBlocked((list) => (list ?? []).filter((p) => p.id !== userId));
      }),
    [client, run],
  );
  const isBlocked = useCallback(
    (userId: string) => blocked?.some((p) => p.id === userId) ?? false,
    [blocked],
  );
  return { blocked, error: error ?? loadError, busy, isBlocked, block, unblock };
}
