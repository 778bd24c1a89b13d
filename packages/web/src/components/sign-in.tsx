import { useId, useState, type SubmitEvent } from 'react';
import { useClient } from '../hooks/use-client.js';
import { errorText } from '../lib/error-text.js';
import type { UserView } from '../sdk.js';

interface Props {
  onSignedIn: (me: UserView) => void;
}

/** Phone number, then the six-digit code sent to it by SMS. */
export function SignIn({ onSignedIn }: Props) {
  const client = useClient();
  const [phone, setPhone] = useState('');
  const [code, setCode] = useState('');
  const [step, setStep] = useState<'phone' | 'code'>('phone');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const headingId = useId();
  const errorId = useId();

  async function requestCode(event?: SubmitEvent) {
    event?.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await client.requestCode(phone.trim());
      setStep('code');
      setCode('');
      setNotice(`We sent a code to ${phone.trim()}.`);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  async function verify(event: SubmitEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await client.verify(phone.trim(), code.trim()));
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  }

  return (
    <main className="auth">
      <section className="auth-card" aria-labelledby={headingId}>
        <h1 id={headingId} className="brand">
          Salon
        </h1>
        {step === 'phone' ? (
          <form
            onSubmit={(e) => void requestCode(e)}
            aria-describedby={error ? errorId : undefined}
          >
            <p className="muted">Sign in with your phone number. We will text you a code.</p>
            <label htmlFor="phone">Phone number</label>
            <input
              id="phone"
              type="tel"
              inputMode="tel"
              autoComplete="tel"
              required
              autoFocus
              value={phone}
              onChange={(e) => setPhone(e.target.value)}
              aria-invalid={error ? true : undefined}
            />
            <p className="hint">In international format, for example +1 415 555 0100.</p>
            {error && (
              <p id={errorId} className="error" role="alert">
                {error}
              </p>
            )}
            <button type="submit" className="primary" disabled={busy || phone.trim() === ''}>
              {busy ? 'Sending…' : 'Send code'}
            </button>
          </form>
        ) : (
          <form onSubmit={(e) => void verify(e)}>
            {notice && (
              <p className="muted" role="status">
                {notice}
              </p>
            )}
            <label htmlFor="code">Code</label>
            <input
              id="code"
              type="text"
              inputMode="numeric"
              autoComplete="one-time-code"
              pattern="[0-9]{6}"
              maxLength={6}
              required
              autoFocus
              value={code}
              onChange={(e) => setCode(e.target.value.replace(/\D/g, ''))}
              aria-invalid={error ? true : undefined}
            />
            <p className="hint">The 6 digits in the text message.</p>
            {error && (
              <p className="error" role="alert">
                {error}
              </p>
            )}
            <button type="submit" className="primary" disabled={busy || code.length !== 6}>
              {busy ? 'Signing in…' : 'Sign in'}
            </button>
            <div className="row">
              <button
                type="button"
                className="link"
                disabled={busy}
                onClick={() => void requestCode()}
              >
                Get a new code
              </button>
              <button
                type="button"
                className="link"
                disabled={busy}
                onClick={() => {
                  setStep('phone');
                  setError(null);
                  setNotice(null);
                }}
              >
                Use a different number
              </button>
            </div>
          </form>
        )}
      </section>
    </main>
  );
}
