import { useCallback, useState } from 'react';
import { errorText } from '../lib/error-text.js';

/**
 * A control's calls to the server, one at a time: `busy` names the one running (null when none),
 * `error` says in a sentence why the last one failed; `run` resolves true when it succeeded.
 */
export function useAction<K>() {
  const [busy, setBusy] = useState<K | null>(null);
  const [error, setError] = useState<string | null>(null);

  const run = useCallback(async (what: K, action: () => Promise<unknown>): Promise<boolean> => {
    setBusy(what);
    setError(null);
    try {
      await action();
      return true;
    } catch (err) {
      setError(errorText(err));
      return false;
    } finally {
      setBusy(null);
    }
  }, []);

  return { busy, error, run };
}
