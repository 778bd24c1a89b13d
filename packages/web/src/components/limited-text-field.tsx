import { useId } from 'react';
import { visibleLength } from '../lib/text-length.js';

interface Props {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  /** The server's limit, in visible characters. */
  max: number;
  /** What the limit is about, for the hint: "Names", "Group names". */
  what: string;
  autoFocus?: boolean;
  autoComplete?: string;
  /** Shown under the field while the text fits. */
  hint?: string;
  /** An error about this field from the last submit. */
  errorId?: string;
}

/** Whether `value` is longer than `max` visible characters (then the form does not submit). */
export function isTooLong(value: string, max: number): boolean {
  return visibleLength(value) > max;
}

/**
 * A one-line text field with a length limit that never cuts what was typed or pasted: past the
 * limit it says so, with the count, and the form waits.
 */
export function LimitedTextField({
  id,
  label,
  value,
  onChange,
  max,
  what,
  autoFocus,
  autoComplete,
  hint,
  errorId,
}: Props) {
  const hintId = useId();
  const length = visibleLength(value);
  const tooLong = length > max;
  const describedBy = [tooLong || hint ? hintId : null, errorId].filter(Boolean).join(' ');
  return (
    <>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="text"
        autoComplete={autoComplete}
        required
        autoFocus={autoFocus}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={tooLong || errorId ? true : undefined}
        aria-describedby={describedBy || undefined}
      />
      {tooLong ? (
        <p id={hintId} className="error" role="alert">
          {what} can be at most {max} characters ({length} now).
        </p>
      ) : (
        hint && (
          <p id={hintId} className="hint">
            {hint}
          </p>
        )
      )}
    </>
  );
}
