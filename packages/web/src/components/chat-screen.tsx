import { LogOut, MessageSquarePlus, UserRound, Users } from 'lucide-react';
import { lazy, Suspense, useEffect, useState } from 'react';
import { useClient, useMe } from '../hooks/use-client.js';
import { navigate, roomPath, useRoute } from '../hooks/use-route.js';
import { errorText } from '../lib/error-text.js';
import type { UserView } from '../sdk.js';
import { ConnectionBanner } from './connection-banner.js';
import { ConversationList } from './conversation-list.js';
import { ConversationView } from './conversation-view.js';
import '../chat.css';

// Dialogs load when first opened: the conversation list does not wait for them.
const NewDmDialog = lazy(() =>
  import('./new-dm-dialog.js').then((m) => ({ default: m.NewDmDialog })),
);
const NewGroupDialog = lazy(() =>
  import('./new-group-dialog.js').then((m) => ({ default: m.NewGroupDialog })),
);
const ProfileDialog = lazy(() =>
  import('./profile-dialog.js').then((m) => ({ default: m.ProfileDialog })),
);

interface Props {
  me: UserView;
  onSignedOut: () => void;
}

/**
 * The signed-in app: the conversation list beside the open conversation (one or the other on a
 * phone-sized screen, switched by the URL). Holds the live connection open while mounted.
 */
export function ChatScreen({ me: signedIn, onSignedOut }: Props) {
  const client = useClient();
  const me = useMe() ?? signedIn;
  const { roomId } = useRoute();
  const [dialog, setDialog] = useState<'dm' | 'group' | 'profile' | null>(null);
  const [signOutError, setSignOutError] = useState<string | null>(null);

  useEffect(() => {
    client.start();
    return () => client.stop();
  }, [client]);

  async function signOut() {
    setSignOutError(null);
    try {
      await client.logout();
      onSignedOut();
    } catch (err) {
      setSignOutError(errorText(err));
    }
  }

  const openRoom = (id: string) => {
    setDialog(null);
    navigate(roomPath(id));
  };

  return (
    <div className="chat" data-view={roomId ? 'room' : 'list'}>
      <ConnectionBanner />
      <aside className="sidebar" aria-label="Conversations">
        <header className="sidebar-header">
          <div className="me">
            <span className="brand">Salon</span>
            <span className="muted me-name">{me.name ?? me.phone}</span>
          </div>
          <div className="header-actions">
            <button
              type="button"
              className="icon"
              aria-label="Profile"
              title="Profile"
              onClick={() => setDialog('profile')}
            >
              <UserRound aria-hidden="true" size={22} />
            </button>
            <button
              type="button"
              className="icon"
              aria-label="Sign out"
              title="Sign out"
              onClick={() => void signOut()}
            >
              <LogOut aria-hidden="true" size={22} />
            </button>
          </div>
        </header>
        {signOutError && (
          <p className="error" role="alert">
            {signOutError}
          </p>
        )}
        <div className="sidebar-actions">
          <button type="button" className="primary" onClick={() => setDialog('dm')}>
            <MessageSquarePlus aria-hidden="true" size={18} />
            New message
          </button>
          <button type="button" onClick={() => setDialog('group')}>
            <Users aria-hidden="true" size={18} />
            New group
          </button>
        </div>
        <ConversationList me={me} selectedId={roomId} />
      </aside>
      <main className="pane">
        {roomId ? (
          <ConversationView key={roomId} roomId={roomId} me={me} />
        ) : (
          <div className="empty-pane">
            <p>Pick a conversation on the left, or start one with New message.</p>
          </div>
        )}
      </main>
      <Suspense fallback={null}>
        {dialog === 'dm' && <NewDmDialog onClose={() => setDialog(null)} onOpened={openRoom} />}
        {dialog === 'group' && (
          <NewGroupDialog onClose={() => setDialog(null)} onCreated={openRoom} />
        )}
        {dialog === 'profile' && (
          <ProfileDialog me={me} onClose={() => setDialog(null)} onOpenRoom={openRoom} />
        )}
      </Suspense>
    </div>
  );
}
