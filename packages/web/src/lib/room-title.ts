import type { RoomSummary } from '../sdk.js';

/** The title of one's own direct room (notes to self). */
export const NOTE_TO_SELF = 'Note to self';

/** What a conversation is called: the other person's name (or phone) in a DM, else its name. */
export function roomTitle(room: RoomSummary): string {
  if (room.note_to_self) return NOTE_TO_SELF;
  if (room.kind === 'direct') {
    return room.other?.name ?? (room.other?.phone || null) ?? room.name ?? 'Direct message';
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
  // A hidden number is an empty string (not yet accepted, not typed by the viewer).
  return user.name ?? (user.phone !== undefined && user.phone !== '' ? user.phone : 'Someone');
}
