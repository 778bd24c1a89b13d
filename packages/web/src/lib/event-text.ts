import type { ClientMessage, UserRef } from '../sdk.js';

/** Who did or underwent an event, as the reader sees them: "You", a name, or "someone". */
function who(user: UserRef, myId: string, capital: boolean): string {
  if (user.id === myId) return capital ? 'You' : 'you';
  return user.name ?? 'someone';
}

/** "Ben", "Ben and Cara", "Ben, Cara and Dan", "Ben, Cara and 3 others". */
function people(users: readonly UserRef[], myId: string): string {
  const names = users.map((user) => who(user, myId, false));
  if (names.length <= 3) {
    return names.length <= 1
      ? (names[0] ?? 'no one')
      : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1] ?? ''}`;
  }
  return `${names.slice(0, 2).join(', ')} and ${names.length - 2} others`;
}

/**
 * A group event as a sentence ("Ana added Ben and Cara", "You renamed the group to “Climbing”");
 * null for an ordinary message.
 */
export function eventText(
  message: Pick<ClientMessage, 'event' | 'sender'>,
  myId: string,
): string | null {
  const event = message.event;
  if (!event) return null;
  const actor = who(message.sender, myId, true);
  switch (event.type) {
    case 'created':
      return `${actor} created the group “${event.name}”`;
    case 'renamed':
      return `${actor} renamed the group to “${event.name}”`;
    case 'added':
      return `${actor} added ${people(event.users, myId)}`;
    case 'removed':
      return `${actor} removed ${who(event.user, myId, false)}`;
    case 'joined':
      return `${actor} joined`;
    case 'left':
      return `${actor} left`;
  }
}
