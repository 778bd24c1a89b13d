import { useState, type SubmitEvent, type KeyboardEvent } from 'react';
import { errorText } from '../lib/error-text.js';

interface Props {
  initial: string;
  onSave: (body: string) => Promise<void>;
  onCancel: () => void;
}

/** Editing an own message in place: Enter saves, Shift+Enter is a new line, Escape cancels. */
export function MessageEditor({ initial, onSave, onCancel }: Props) {
  const [body, setBody] = useState(initial);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function save(event?: SubmitEvent) {
    event?.preventDefault();
    const text = body.trim();
    if (text === '' || busy) return;
    if (text === initial.trim()) {
      onCancel();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await onSave(text);
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  }

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      onCancel();
    } else if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void save();
    }
  };

  return (
    <form className="editor" onSubmit={(e) => void save(e)}>
      <textarea
        aria-label="Edited text"
        value={body}
        autoFocus
        rows={2}
        onChange={(e) => setBody(e.target.value)}
        onKeyDown={onKeyDown}
      />
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="row">
        <button type="submit" className="small primary" disabled={busy || body.trim() === ''}>
          Save
        </button>
        <button type="button" className="small" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
