import { useId, useState } from 'react';
import { useClient } from '../hooks/use-client.js';
import { useSubmit } from '../hooks/use-submit.js';
import type { UserView } from '../sdk.js';

interface Props {
  onNamed: (me: UserView) => void;
}

/** Asked once, on the first sign-in: the name others will see. */
export function NamePrompt({ onNamed }: Props) {
  const client = useClient();
  const [name, setName] = useState('');
  const headingId = useId();
  const {
    busy,
    error,
    submit: save,
  } = useSubmit(async () => {
    await client.updateName(name.trim());
    const me = client.me;
    if (me) onNamed(me);
  });

  return (
    <main className="auth">
      <section className="auth-card" aria-labelledby={headingId}>
        <h1 id={headingId}>Welcome to Salon</h1>
        <form onSubmit={(e) => void save(e)}>
          <p className="muted">What should people call you?</p>
          <label htmlFor="your-name">Your name</label>
          <input
            id="your-name"
            type="text"
            autoComplete="name"
            maxLength={64}
            required
            autoFocus
            value={name}
            onChange={(e) => setName(e.target.value)}
            aria-invalid={error ? true : undefined}
          />
          {error && (
            <p className="error" role="alert">
              {error}
            </p>
          )}
          <button type="submit" className="primary" disabled={busy || name.trim() === ''}>
            {busy ? 'Saving…' : 'Continue'}
          </button>
        </form>
      </section>
    </main>
  );
}
