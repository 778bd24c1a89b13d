import { NotebookPen } from 'lucide-react';
import { useClient } from '../hooks/use-client.js';
import { useSubmit } from '../hooks/use-submit.js';
import type { UserView } from '../sdk.js';

interface Props {
  me: UserView;
  onOpenRoom: (roomId: string) => void;
}

/** Opens (making it the first time) one's own conversation: notes to self. */
export function NoteToSelfButton({ me, onOpenRoom }: Props) {
  const client = useClient();
  const { busy, error, submit } = useSubmit(async () => {
    const room = await client.openDm({ userId: me.id });
    onOpenRoom(room.id);
  });
  return (
    <form className="row-form" onSubmit={(e) => void submit(e)}>
      <button type="submit" disabled={busy}>
        <NotebookPen aria-hidden="true" size={18} />
        Note to self
      </button>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
