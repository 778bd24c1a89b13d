import type { UserRef } from '../sdk.js';

/** "Ana is typing…", "Ana and Ben are typing…", "Several people are typing…". */
export function typingText(users: readonly UserRef[]): string {
  const names = users.map((user) => user.name ?? 'Someone');
  const [first, second] = names;
  if (first === undefined) return '';
  if (second === undefined) return `${first} is typing…`;
  if (names.length === 2) return `${first} and ${second} are typing…`;
  return 'Several people are typing…';
}

export function TypingLine({ users }: { users: readonly UserRef[] }) {
  return (
    <p className="typing" aria-live="polite">
      {typingText(users)}
    </p>
  );
}
