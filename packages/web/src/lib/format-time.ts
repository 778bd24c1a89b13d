const time = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });
const weekday = new Intl.DateTimeFormat(undefined, { weekday: 'short' });
const shortDate = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });
const longDate = new Intl.DateTimeFormat(undefined, {
  weekday: 'long',
  month: 'long',
  day: 'numeric',
  year: 'numeric',
});

const MINUTE_MS = 60 * 1000;
const DAY_MS = 24 * 3600 * 1000;

function startOfDay(date: Date): number {
  return new Date(date.getFullYear(), date.getMonth(), date.getDate()).getTime();
}

/** 10:42 AM */
export function formatTime(iso: string): string {
  return time.format(new Date(iso));
}

/** For the conversation list: the time today, the weekday this week, else the date. */
export function formatListTime(iso: string, now = new Date()): string {
  const date = new Date(iso);
  const days = (startOfDay(now) - startOfDay(date)) / DAY_MS;
  if (days < 1) return time.format(date);
  if (days < 7) return weekday.format(date);
  return shortDate.format(date);
}

/** For day separators in a conversation: Today, Yesterday, or the full date. */
export function formatDay(iso: string, now = new Date()): string {
  const days = Math.round((startOfDay(now) - startOfDay(new Date(iso))) / DAY_MS);
  if (days === 0) return 'Today';
  if (days === 1) return 'Yesterday';
  return longDate.format(new Date(iso));
}

export function sameDay(a: string, b: string): boolean {
  return startOfDay(new Date(a)) === startOfDay(new Date(b));
}

/**
 * As messengers say it: "last seen just now", "last seen 5 min ago", "last seen today at
 * 10:42 AM", "last seen yesterday at…", "last seen Mar 3"; "offline" when never seen.
 */
export function formatLastSeen(iso: string | null, now = new Date()): string {
  if (!iso) return 'offline';
  const date = new Date(iso);
  const ago = now.getTime() - date.getTime();
  if (ago < MINUTE_MS) return 'last seen just now';
  if (ago < 60 * MINUTE_MS) return `last seen ${Math.floor(ago / MINUTE_MS)} min ago`;
  const days = Math.round((startOfDay(now) - startOfDay(date)) / DAY_MS);
  if (days === 0) return `last seen today at ${time.format(date)}`;
  if (days === 1) return `last seen yesterday at ${time.format(date)}`;
  return `last seen ${shortDate.format(date)}`;
}

/** "online", or when they were last seen. */
export function presenceText(
  person: { online: boolean; last_seen_at: string | null } | null | undefined,
  now = new Date(),
): string {
  return person?.online ? 'online' : formatLastSeen(person?.last_seen_at ?? null, now);
}
