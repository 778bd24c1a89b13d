import { useId, useState } from 'react';
import { useClient } from '../hooks/use-client.js';
import { useSubmit } from '../hooks/use-submit.js';
import { looksLikePhone } from '../lib/member-refs.js';
import { Modal } from './modal.js';

interface Props {
  onClose: () => void;
  onOpened: (roomId: string) => void;
}

const NOT_A_NUMBER =
  'That is not a phone number. Use the international format, like +1 415 555 0100.';

/** Starts (or reopens) a one-to-one conversation with a phone number. */
export function NewDmDialog({ onClose, onOpened }: Props) {
  const client = useClient();
  const [phone, setPhone] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const errorId = useId();
  const {
    busy,
    error,
    submit: start,
  } = useSubmit(async () => {
    const room = await client.openDm({ phone: phone.trim() });
    onOpened(room.id);
  });
  const shown = problem ?? error;

  return (
    <Modal title="New message" onClose={onClose}>
      <form
        noValidate
        onSubmit={(e) => {
          if (!looksLikePhone(phone.trim())) {
            e.preventDefault();
            setProblem(NOT_A_NUMBER);
            return;
          }
          void start(e);
        }}
      >
        <label htmlFor="dm-phone">Phone number</label>
        <input
          id="dm-phone"
          type="tel"
          inputMode="tel"
          autoComplete="off"
          required
          autoFocus
          value={phone}
          onChange={(e) => {
            setPhone(e.target.value);
            setProblem(null);
          }}
          aria-invalid={shown ? true : undefined}
          aria-describedby={shown ? errorId : 'dm-phone-hint'}
        />
        <p className="hint" id="dm-phone-hint">
          They can reply once they sign in to Salon with this number.
        </p>
        {shown && (
          <p className="error" id={errorId} role="alert">
            {shown}
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
