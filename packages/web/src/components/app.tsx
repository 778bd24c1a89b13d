import { lazy, Suspense, useEffect, useState } from 'react';
import { useClient } from '../hooks/use-client.js';
import { errorCode, errorText } from '../lib/error-text.js';
import type { UserView } from '../sdk.js';
import { LoadBoundary } from './load-boundary.js';

// Each screen is its own chunk, fetched once the session says which one shows: the first load
// is React, the SDK's HTTP half and this shell (the budget test in test/e2e/bundle-budget.test.ts).
const SignIn = lazy(() => import('./sign-in.js').then((m) => ({ default: m.SignIn })));
const NamePrompt = lazy(() => import('./name-prompt.js').then((m) => ({ default: m.NamePrompt })));
const ChatScreen = lazy(() => import('./chat-screen.js').then((m) => ({ default: m.ChatScreen })));

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

  if (session.state === 'loading') return <Splash />;
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
  return (
    <LoadBoundary>
      <Suspense fallback={<Splash />}>
        {!me ? (
          <SignIn onSignedIn={setMe} />
        ) : me.name === null ? (
          <NamePrompt onNamed={setMe} />
        ) : (
          <ChatScreen me={me} onSignedOut={() => setMe(null)} />
        )}
      </Suspense>
    </LoadBoundary>
  );
}

/** While the session is asked for, or the screen's code loads. */
function Splash() {
  return (
    <main className="splash" aria-busy="true">
      <p>Loading Salon…</p>
    </main>
  );
}
