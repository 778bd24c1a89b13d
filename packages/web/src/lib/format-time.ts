const time = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });
const weekday = new Intl.DateTimeFormat(undefined, { weekday: 'short' });
const shortDate = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });
const longDate = new Intl.DateTimeFormat(undefined, {
  weekday: 'long',
  month: 'long',
  day: 'numeric',
  year: 'numeric',
});

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

/** "Last seen 10:42 AM" / "Last seen Tue" / "Last seen Mar 3". */
export function formatLastSeen(iso: string | null): string {
  return iso ? `Last seen ${formatListTime(iso)}` : 'Offline';
}
