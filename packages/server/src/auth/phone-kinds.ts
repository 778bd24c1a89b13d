/**
 * The kinds of phone numbers, as a plain list: the configuration table reads them without loading
 * libphonenumber's metadata (which phone.ts does, to tell a number's kind).
 */

/** libphonenumber's number types, lower-case; `unknown` when it cannot tell. */
export const PHONE_TYPES = [
  'mobile',
  'fixed_line_or_mobile',
  'fixed_line',
  'voip',
  'personal_number',
  'pager',
  'uan',
  'voicemail',
  'toll_free',
  'premium_rate',
  'shared_cost',
  'unknown',
] as const;
export type PhoneType = (typeof PHONE_TYPES)[number];

/**
 * What may receive codes: number types, and `non_geographic` for numbers of no country
 * (satellite phones, international freephone…), which SMS-pumping fraud favours.
 */
export const SMS_NUMBER_KINDS = [...PHONE_TYPES, 'non_geographic'] as const;
export type SmsNumberKind = (typeof SMS_NUMBER_KINDS)[number];
