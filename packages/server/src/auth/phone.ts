import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { AppError } from '../errors.js';
import {
  PHONE_TYPES,
  SMS_NUMBER_KINDS,
  type PhoneType,
  type SmsNumberKind,
} from './phone-kinds.js';

export interface NormalizedPhone {
  /** E.164, e.g. +14155550123. */
  e164: string;
  /** ISO 3166-1 alpha-2 of the number's region; undefined for non-geographic numbers (+881…). */
  country: string | undefined;
  /** The country calling code, e.g. "1", "44". */
  callingCode: string;
  /** What the number is, as libphonenumber's full metadata types it. */
  type: PhoneType;
}

export { PHONE_TYPES, SMS_NUMBER_KINDS, type PhoneType, type SmsNumberKind };

/**
 * Normalizes a phone number typed by a person to E.164. International format is required (a
 * leading + and the country code): the server cannot guess the person's country. Uses the full
 * `max` metadata so that validity is checked per number range, not just by length.
 */
export function normalizePhone(input: string): NormalizedPhone {
  const trimmed = input.trim();
  // libphonenumber finds a number inside any text ("call +1 415…", "+1 415… ext. 5"); a sign-in
  // number is only a leading + then digits with the usual separators, nothing else.
  if (!PHONE_CHARS.test(trimmed)) throw invalidPhone();
  const parsed = parsePhoneNumberFromString(trimmed);
  if (!parsed?.isValid()) throw invalidPhone();
  const type = parsed.getType()?.toLowerCase() as PhoneType | undefined;
  return {
    e164: parsed.number,
    country: parsed.country,
    callingCode: parsed.countryCallingCode,
    type: type ?? 'unknown',
  };
}

/** A leading +, then digits (any script's, which libphonenumber maps), spaces, - . / ( ). */
const PHONE_CHARS = /^\+[\p{Nd}\s\-./()]+$/u;

const invalidPhone = () =>
  new AppError(
    'INVALID_PHONE',
    400,
    'That is not a valid phone number. Use the international format, e.g. +14155550123.',
  );

/** Refuses numbers outside `allowed` (ISO codes); undefined allows every country. */
export function assertCountryAllowed(
  phone: NormalizedPhone,
  allowed: readonly string[] | undefined,
): void {
  if (allowed === undefined || allowed.length === 0) return;
  if (phone.country === undefined || !allowed.includes(phone.country)) {
    throw new AppError(
      'PHONE_COUNTRY_NOT_ALLOWED',
      400,
      'This server does not send codes to numbers from that country.',
    );
  }
}

/**
 * Refuses numbers that SMS-pumping fraud uses (premium-rate, shared-cost, toll-free, satellite…):
 * only the kinds in `allowed` get codes (by default mobile and fixed-line-or-mobile).
 */
export function assertKindAllowed(phone: NormalizedPhone, allowed: readonly SmsNumberKind[]): void {
  const geographic = phone.country !== undefined;
  if (allowed.includes(phone.type) && (geographic || allowed.includes('non_geographic'))) return;
  throw new AppError(
    'PHONE_TYPE_NOT_ALLOWED',
    400,
    geographic
      ? 'This server sends codes only to mobile numbers.'
      : 'This server does not send codes to numbers without a country (satellite and global numbers).',
  );
}
