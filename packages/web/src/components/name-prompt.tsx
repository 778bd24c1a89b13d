import { useId, useState } from 'react';
import { useClient } from '../hooks/use-client.js';
import { useSubmit } from '../hooks/use-submit.js';
import type { UserView } from '../sdk.js';
import { isTooLong, LimitedTextField } from './limited-text-field.js';

interface Props {
  onNamed: (me: UserView) => void;
}

/** The server's limit on a display name, in visible characters. */
export const MAX_NAME_LENGTH = 64;

/** Asked once, on the first sign-in: the name others will see (Profile changes it later). */
export function NamePrompt({ onNamed }: Props) {
  const client = useClient();
  const [name, setName] = useState('');
  const headingId = useId();
  const errorId = useId();
  const {
    busy,
    error,
    submit: save,
  } = useSubmit(async () => {
    await client.updateName(name.trim());
    const me = client.me;
    if (me) onNamed(me);
  });
  const blocked = busy || name.trim() === '' || isTooLong(name, MAX_NAME_LENGTH);

  return (
    <main className="auth">
      <section className="auth-card" aria-labelledby={headingId}>
        <h1 id={headingId}>Welcome to Salon</h1>
        <form onSubmit={(e) => (blocked ? e.preventDefault() : void save(e))} noValidate>
          <p className="muted">What should people call you?</p>
          <LimitedTextField
            id="your-name"
            label="Your name"
            value={name}
            onChange={setName}
            max={MAX_NAME_LENGTH}
            what="Names"
            autoFocus
            autoComplete="name"
            hint="You can change it later in your profile."
            errorId={error ? errorId : undefined}
          />
          {error && (
            <p id={errorId} className="error" role="alert">
              {error}
            </p>
          )}
          <button type="submit" className="primary" aria-disabled={blocked || undefined}>
            {busy ? 'Saving…' : 'Continue'}
          </button>
        </form>
      </section>
    </main>
  );
}
