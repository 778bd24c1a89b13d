import type { RoomSummary } from '../sdk.js';

/** What a conversation is called: the other person's name (or phone) in a DM, else its name. */
export function roomTitle(room: RoomSummary): string {
  if (room.kind === 'direct') {
    return room.other?.name ?? room.other?.phone ?? room.name ?? 'Direct message';
  }
  return room.name ?? 'Group';
}

/** Up to two letters for an avatar. */
export function initials(title: string): string {
  const words = title
    .replace(/[^\p{L}\p{N}\s]/gu, ' ')
    .trim()
    .split(/\s+/)
    .filter(Boolean);
  const letters = words.length > 1 ? [words[0], words[words.length - 1]] : [words[0]];
  return letters
    .map((word) => (word ? (Array.from(word)[0] ?? '') : ''))
    .join('')
    .toUpperCase();
}

/** A person as others see them. */
export function displayName(user: { name: string | null; phone?: string }): string {
  return user.name ?? user.phone ?? 'Someone';
}
