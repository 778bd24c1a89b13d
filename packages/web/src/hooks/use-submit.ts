import { useState, type SubmitEvent } from 'react';
import { errorText } from '../lib/error-text.js';

/**
 * A form's submit: `busy` while `action` runs, the error as a sentence if it fails. The forms
 * (name, new DM, new group) differ only in what they do.
 */
export function useSubmit(action: () => Promise<void>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  return { busy, error, submit };
}
