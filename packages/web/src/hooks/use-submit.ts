import type { SubmitEvent } from 'react';
import { useAction } from './use-action.js';

/**
 * A form's submit: `busy` while `action` runs, the error as a sentence if it fails. The forms
 * (name, new DM, new group) differ only in what they do.
 */
export function useSubmit(action: () => Promise<void>) {
  const { busy, error, run } = useAction<true>();

  async function submit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    await run(true, action);
  }

  return { busy: busy !== null, error, submit };
}
