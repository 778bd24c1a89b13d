import { z } from 'zod';

/** HTTP API bodies (snake_case on the wire), validated at the server's edge. */

export const OtpRequestBody = z.strictObject({
  phone: z.string().min(1).max(64),
});
export type OtpRequestBody = z.infer<typeof OtpRequestBody>;

export const OtpVerifyBody = z.strictObject({
  phone: z.string().min(1).max(64),
  code: z.string().regex(/^\d{6}$/, 'must be the 6 digits received by SMS'),
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

/** 1 to 64 visible characters after trimming. */
export const DisplayName = z
  .string()
  .max(1024)
  .transform((s) => s.normalize('NFC').trim())
  .refine((s) => visibleLengthWithin(s, 1, 64), 'must be 1 to 64 characters')
  // Controls, line separators and bidi overrides break layouts and can spoof names; the zero
  // width joiner stays allowed because emoji sequences need it.
  .refine(
    (s) => !/\p{Cc}|\p{Zl}|\p{Zp}|[\u200B\u200E\u200F\u202A-\u202E\u2066-\u2069\uFEFF]/u.test(s),
    'must not contain control or direction-override characters',
  )
  // Format characters (word joiner, soft hyphen…) and the Hangul and Braille blanks draw nothing:
  // a name made only of them would look empty.
  .refine(
    (s) => /[^\p{Z}\p{M}\p{C}\u115F\u1160\u2800\u3164\uFFA0]/u.test(s),
    'must contain a visible character',
  );

export const UpdateMeBody = z.strictObject({
  name: DisplayName,
});
export type UpdateMeBody = z.infer<typeof UpdateMeBody>;

export interface UserView {
  id: string;
  phone: string;
  name: string | null;
}

export interface VerifyResponse {
  token: string;
  user: UserView;
}

export interface MeResponse {
  user: UserView;
}
