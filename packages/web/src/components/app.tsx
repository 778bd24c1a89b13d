import { useEffect, useState } from 'react';
import { useClient } from '../hooks/use-client.js';
import { errorCode, errorText } from '../lib/error-text.js';
import type { UserView } from '../sdk.js';
import { ChatScreen } from './chat-screen.js';
import { NamePrompt } from './name-prompt.js';
import { SignIn } from './sign-in.js';

type Session =
  | { state: 'loading' }
  | { state: 'error'; message: string; offline: boolean }
  | { state: 'ready'; me: UserView | null };

/** Signed out → SignIn; signed in without a name → NamePrompt; else the chat. */
export function App() {
  const client = useClient();
  const [session, setSession] = useState<Session>({ state: 'loading' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let cancelled = false;
    client.loadMe().then(
      (me) => {
        if (!cancelled) setSession({ state: 'ready', me });
      },
      (err: unknown) => {
        if (!cancelled) {
          const offline = !navigator.onLine || errorCode(err) === 'NETWORK';
          setSession({ state: 'error', message: errorText(err), offline });
        }
      },
    );
    return () => {
      cancelled = true;
    };
  }, [client, attempt]);

  // Opened without a network (the offline shell): try again as soon as it is back.
  const offline = session.state === 'error' && session.offline;
  useEffect(() => {
    if (!offline) return;
    const retry = () => {
      setSession({ state: 'loading' });
      setAttempt((n) => n + 1);
    };
    window.addEventListener('online', retry);
    return () => window.removeEventListener('online', retry);
  }, [offline]);

  if (session.state === 'loading') {
    return (
      <main className="splash" aria-busy="true">
        <p>Loading Salon…</p>
      </main>
    );
  }
  if (session.state === 'error') {
    return (
      <main className="splash">
        {session.offline ? (
          <>
            <h1 className="brand">Salon</h1>
            <p role="alert">You are offline. Salon opens as soon as the network is back.</p>
          </>
        ) : (
          <p role="alert">{session.message}</p>
        )}
        <button
          type="button"
          onClick={() => {
            setSession({ state: 'loading' });
            setAttempt((n) => n + 1);
          }}
        >
          Try again
        </button>
      </main>
    );
  }
  const setMe = (me: UserView | null) => setSession({ state: 'ready', me });
  const { me } = session;
  if (!me) return <SignIn onSignedIn={setMe} />;
  if (me.name === null) return <NamePrompt onNamed={setMe} />;
  return <ChatScreen me={me} onSignedOut={() => setMe(null)} />;
}
