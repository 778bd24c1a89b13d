/**
 * Every error Salon reports carries one of these codes. Codes are stable: a client may branch on
 * them, so a code is never renamed or reused for another meaning. docs/errors.md documents each.
 */
export const ERROR_CODES = [
  // Request shape
  'BAD_REQUEST',
  'INVALID_JSON',
  'VALIDATION_FAILED',
  'BODY_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'NOT_FOUND',
  'METHOD_NOT_ALLOWED',
  // Sign-in
  'INVALID_PHONE',
  'PHONE_COUNTRY_NOT_ALLOWED',
  'PHONE_TYPE_NOT_ALLOWED',
  'OTP_INVALID',
  'OTP_EXPIRED',
  'OTP_TOO_MANY_ATTEMPTS',
  'OTP_NUMBER_LOCKED',
  'RATE_LIMITED',
  'UNAUTHORIZED',
  'ORIGIN_NOT_ALLOWED',
  // Channels (sent inside a data frame: {"type": "error", "code", "message", ...})
  'NOT_SUBSCRIBED',
  'UNKNOWN_ACTION',
  'INVALID_ACTION_DATA',
  'FORBIDDEN',
  // Chat
  'ROOM_NOT_FOUND',
  'MESSAGE_NOT_FOUND',
  'USER_NOT_FOUND',
  'NOT_A_MEMBER',
  'ALREADY_A_MEMBER',
  'CANNOT_DM_SELF',
  'MESSAGE_DELETED',
  'NOTHING_TO_ACCEPT',
  'CANNOT_BLOCK_SELF',
  // Server side
  'SERVICE_UNAVAILABLE',
  'STORE_UNAVAILABLE',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** The body of every non-2xx HTTP answer. */
export interface ErrorBody {
  error: {
    code: ErrorCode;
    message: string;
    /** Present on VALIDATION_FAILED: which fields were wrong and why. */
    details?: { path: string; message: string }[];
  };
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}
