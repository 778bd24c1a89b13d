import { useEffect, useId, useRef, useState, type SubmitEvent } from 'react';
import { useClient } from '../hooks/use-client.js';
import { useCountdown } from '../hooks/use-countdown.js';
import { errorCode, errorText, retryWait } from '../lib/error-text.js';
import type { UserView } from '../sdk.js';

interface Props {
  onSignedIn: (me: UserView) => void;
}

/** Codes the server kills (too many wrong tries, expired): the app offers a new one at once. */
const USED_UP_CODES = new Set(['OTP_TOO_MANY_ATTEMPTS', 'OTP_EXPIRED']);

type Problem =
  | { kind: 'phone'; text: string }
  | { kind: 'code'; text: string }
  | { kind: 'used-up'; text: string }
  | { kind: 'wait'; reason: string; until: number };

/**
 * Phone number, then the six-digit code sent to it by SMS. A wait the server asks for counts
 * down in one sentence; a code that died of wrong tries is said to be used up, with a new one
 * offered at once. Buttons stay focusable while busy (aria-disabled), so focus is never lost.
 */
export function SignIn({ onSignedIn }: Props) {
  const client = useClient();
  const [phone, setPhone] = useState('');
  const [code, setCode] = useState('');
  const [step, setStep] = useState<'phone' | 'code'>('phone');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const headingId = useId();
  const problemId = useId();
  const codeRef = useRef<HTMLInputElement>(null);
  const newCodeRef = useRef<HTMLButtonElement>(null);
  const waitLeft = useCountdown(problem?.kind === 'wait' ? problem.until : null);
  const waiting = problem?.kind === 'wait' && waitLeft > 0;

  // The code step opens with the focus in its field (the button that led here is gone).
  useEffect(() => {
    if (step === 'code') codeRef.current?.focus();
  }, [step]);

  async function requestCode(event?: SubmitEvent) {
    event?.preventDefault();
    if (busy || waiting || phone.trim() === '') return;
    setBusy(true);
    setProblem(null);
    try {
      await client.requestCode(phone.trim());
      setStep('code');
      setCode('');
      setNotice(`We sent a code to ${phone.trim()}.`);
      codeRef.current?.focus();
    } catch (err) {
      const wait = retryWait(err);
      setProblem(
        wait
          ? { kind: 'wait', reason: wait.reason, until: Date.now() + wait.seconds * 1000 }
          : { kind: 'phone', text: errorText(err) },
      );
    } finally {
      setBusy(false);
    }
  }

  async function verify(event: SubmitEvent) {
    event.preventDefault();
    if (busy || code.length !== 6) return;
    setBusy(true);
    setProblem(null);
    try {
      onSignedIn(await client.verify(phone.trim(), code.trim()));
    } catch (err) {
      setBusy(false);
      const codeName = errorCode(err);
      if (codeName !== null && USED_UP_CODES.has(codeName)) {
        setCode('');
        setNotice(null);
        setProblem({
          kind: 'used-up',
          text:
            codeName === 'OTP_EXPIRED'
              ? 'That code has expired. Get a new code to sign in.'
              : 'That code is used up: too many wrong tries. Get a new code to sign in.',
        });
        newCodeRef.current?.focus();
        return;
      }
      const wait = retryWait(err);
      setProblem(
        wait
          ? { kind: 'wait', reason: wait.reason, until: Date.now() + wait.seconds * 1000 }
          : { kind: 'code', text: errorText(err) },
      );
      codeRef.current?.select();
    }
  }

  const problemLine =
    problem === null ? null : problem.kind === 'wait' ? (
      waitLeft > 0 ? (
        <p id={problemId} className="error">
          <span role="alert">{problem.reason}</span>{' '}
          <span className="countdown">Try again in {waitLeft} s.</span>
        </p>
      ) : null
    ) : (
      <p id={problemId} className="error" role="alert">
        {problem.text}
      </p>
    );

  return (
    <main className="auth">
      <section className="auth-card" aria-labelledby={headingId}>
        <h1 id={headingId} className="brand">
          Salon
        </h1>
        {step === 'phone' ? (
          <form onSubmit={(e) => void requestCode(e)} noValidate>
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
              aria-invalid={problem?.kind === 'phone' ? true : undefined}
              aria-describedby={problem ? problemId : undefined}
            />
            <p className="hint">In international format, for example +1 415 555 0100.</p>
            {problemLine}
            <button
              type="submit"
              className="primary"
              aria-disabled={busy || waiting || phone.trim() === '' ? true : undefined}
            >
              {busy ? 'Sending…' : 'Send code'}
            </button>
          </form>
        ) : (
          <form onSubmit={(e) => void verify(e)} noValidate>
            {notice && (
              <p className="muted" role="status">
                {notice}
              </p>
            )}
            <label htmlFor="code">Code</label>
            <input
              id="code"
              ref={codeRef}
              type="text"
              inputMode="numeric"
              autoComplete="one-time-code"
              pattern="[0-9]{6}"
              maxLength={6}
              required
              value={code}
              onChange={(e) => setCode(e.target.value.replace(/\D/g, ''))}
              aria-invalid={problem?.kind === 'code' ? true : undefined}
              aria-describedby={problem ? problemId : undefined}
            />
            <p className="hint">The 6 digits in the text message.</p>
            {problemLine}
            {problem?.kind !== 'used-up' && (
              <button
                type="submit"
                className="primary"
                aria-disabled={busy || code.length !== 6 ? true : undefined}
              >
                {busy ? 'Signing in…' : 'Sign in'}
              </button>
            )}
            <div className="row">
              <button
                type="button"
                ref={newCodeRef}
                className={problem?.kind === 'used-up' ? 'primary' : 'link'}
                aria-disabled={busy || waiting ? true : undefined}
                aria-describedby={waiting ? problemId : undefined}
                onClick={() => void requestCode()}
              >
                Get a new code
              </button>
              <button
                type="button"
                className="link"
                onClick={() => {
                  setStep('phone');
                  setProblem(null);
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
