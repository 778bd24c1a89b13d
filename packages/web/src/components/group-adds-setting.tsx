import { useState } from 'react';
import { useClient } from '../hooks/use-client.js';
import { errorText } from '../lib/error-text.js';
import type { UserView } from '../sdk.js';

type GroupAdds = UserView['group_adds'];

const CHOICES: { value: GroupAdds; label: string; hint: string }[] = [
  { value: 'everyone', label: 'Everyone', hint: 'Anyone with your number can add you.' },
  {
    value: 'contacts',
    label: 'People I talk with',
    hint: 'Others’ additions arrive as invitations to join or decline.',
  },
];

/** "Who can add me to groups": saved as soon as it is picked. */
export function GroupAddsSetting({ me }: { me: UserView }) {
  const client = useClient();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  // Shows the choice at once; goes back to the saved one if saving fails.
  const [chosen, setChosen] = useState<GroupAdds>(me.group_adds);

  async function choose(value: GroupAdds) {
    setChosen(value);
    setBusy(true);
    setError(null);
    setSaved(false);
    try {
      await client.setGroupAdds(value);
      setSaved(true);
    } catch (err) {
      setChosen(me.group_adds);
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <fieldset className="choices" disabled={busy}>
      <legend>Who can add me to groups</legend>
      {CHOICES.map((choice) => (
        <label key={choice.value} className="choice">
          <input
            type="radio"
            name="group-adds"
            value={choice.value}
            checked={chosen === choice.value}
            onChange={() => void choose(choice.value)}
          />
          <span>
            {choice.label}
            <span className="hint"> {choice.hint}</span>
          </span>
        </label>
      ))}
      <span className="muted saved" aria-live="polite">
        {saved ? 'Saved.' : ''}
      </span>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </fieldset>
  );
}
