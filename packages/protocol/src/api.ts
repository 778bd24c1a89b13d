import { z } from 'zod';
import { GROUP_ADDS } from './api-views.js';

/** HTTP API bodies (snake_case on the wire), validated at the server's edge. */

export const OtpRequestBody = z.strictObject({
  phone: z.string().min(1).max(64),
});
export type OtpRequestBody = z.infer<typeof OtpRequestBody>;

export const OtpVerifyBody = z.strictObject({
  phone: z.string().min(1).max(64),
  // Six digits, or ten for a number whose codes were guessed at (see the sign-in limits).
  code: z.string().regex(/^\d{6,10}$/, 'must be the digits received by SMS'),
});
export type OtpVerifyBody = z.infer<typeof OtpVerifyBody>;

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Characters as a person counts them: an emoji with modifiers is one. */
export function visibleLength(s: string): number {
  let n = 0;
  for (const _ of graphemes.segment(s)) n++;
  return n;
}

/**
 * Whether `s` has `min` to `max` visible characters. Segmenting is costly (it dominated the
 * message path's CPU), and a string never has more graphemes than UTF-16 units while a non-empty
 * one has at least one, so most strings are decided by `.length` alone.
 */
export function visibleLengthWithin(s: string, min: number, max: number): boolean {
  if (min <= 1 && s.length >= min && s.length <= max) return true;
  const n = visibleLength(s);
  return n >= min && n <= max;
}

/**
 * Combining marks one character may carry: scripts such as Vietnamese or Devanagari with
 * diacritics stack a few, while "zalgo" floods stack dozens that spill over neighbouring lines.
 */
export const MAX_COMBINING_MARKS = 4;

/**
 * Whether some character of `s` carries more than MAX_COMBINING_MARKS combining marks. Most
 * strings have none at all, so the segmenter only runs for those that do.
 */
export function hasCombiningFlood(s: string): boolean {
  if (!/\p{M}/u.test(s)) return false;
  for (const { segment } of graphemes.segment(s)) {
    let marks = 0;
    for (const ch of segment) if (/\p{M}/u.test(ch) && ++marks > MAX_COMBINING_MARKS) return true;
  }
  return false;
}

/**
 * Text that is valid Unicode: JSON's `\ud800` escapes can write a lone surrogate, which no UTF-8
 * store can hold (SQLite and the PostgreSQL driver would quietly turn it into U+FFFD).
 */
export const WELL_FORMED: [(s: string) => boolean, string] = [
  (s) => !/\p{Cs}/u.test(s),
  'must be valid Unicode (no unpaired surrogate)',
];

/**
 * A name people see (a person's, a group's): 1 to `max` visible characters after trimming, no
 * controls or direction overrides (`"Q3 report\u202Efdp.exe"` would show as "Q3 reportexe.pdf"),
 * something visible, no stacks of combining marks.
 */
export function visibleName(max: number) {
  return (
    z
      .string()
      .max(1024)
      .transform((s) => s.normalize('NFC').trim())
      .refine((s) => visibleLengthWithin(s, 1, max), `must be 1 to ${String(max)} characters`)
      .refine(...WELL_FORMED)
      // Controls, line separators and bidi overrides break layouts and can spoof names; the zero
      // width joiner stays allowed because emoji sequences need it.
      .refine(
        (s) =>
          !/\p{Cc}|\p{Zl}|\p{Zp}|[\u200B\u200E\u200F\u202A-\u202E\u2066-\u2069\uFEFF]/u.test(s),
        'must not contain control or direction-override characters',
      )
      // Format characters (word joiner, soft hyphen…) and the Hangul and Braille blanks draw
      // nothing: a name made only of them would look empty.
      .refine(
        (s) => /[^\p{Z}\p{M}\p{C}\u115F\u1160\u2800\u3164\uFFA0]/u.test(s),
        'must contain a visible character',
      )
      .refine(
        (s) => !hasCombiningFlood(s),
        `must not stack more than ${String(MAX_COMBINING_MARKS)} accents on one character`,
      )
  );
}

/** A person's display name: 1 to 64 visible characters. */
export const DisplayName = visibleName(64);

/** Who may add a person to groups directly (GROUP_ADDS). */
const GroupAdds = z.enum(GROUP_ADDS);

export const UpdateMeBody = z
  .strictObject({
    name: DisplayName.optional(),
    group_adds: GroupAdds.optional(),
  })
  .refine(
    (b) => b.name !== undefined || b.group_adds !== undefined,
    'name or group_adds is needed',
  );
export type UpdateMeBody = z.infer<typeof UpdateMeBody>;
