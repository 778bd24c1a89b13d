import { useState } from 'react';
import { useClient } from '../hooks/use-client.js';
import { useSubmit } from '../hooks/use-submit.js';
import { Modal } from './modal.js';

interface Props {
  onClose: () => void;
  onOpened: (roomId: string) => void;
}

/** Starts (or reopens) a one-to-one conversation with a phone number. */
export function NewDmDialog({ onClose, onOpened }: Props) {
  const client = useClient();
  const [phone, setPhone] = useState('');
  const {
    busy,
    error,
    submit: start,
  } = useSubmit(async () => {
    const room = await client.openDm({ phone: phone.trim() });
    onOpened(room.id);
  });

  return (
    <Modal title="New message" onClose={onClose}>
      <form onSubmit={(e) => void start(e)}>
        <label htmlFor="dm-phone">Phone number</label>
        <input
          id="dm-phone"
          type="tel"
          inputMode="tel"
          autoComplete="off"
          required
          autoFocus
          value={phone}
          onChange={(e) => setPhone(e.target.value)}
          aria-invalid={error ? true : undefined}
        />
        <p className="hint">They can reply once they sign in to Salon with this number.</p>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <div className="row end">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy || phone.trim() === ''}>
            {busy ? 'Opening…' : 'Start conversation'}
          </button>
        </div>
      </form>
    </Modal>
  );
}
