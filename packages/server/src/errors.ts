import type { ErrorBody, ErrorCode } from '@salon/protocol';

/** An error a client can act on: a stable code, an HTTP status and a sentence for a person. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly statusCode: number;
  readonly details: ErrorBody['error']['details'];
  /** Seconds the client should wait (429/503); sent as Retry-After. */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    code: ErrorCode,
    statusCode: number,
    message: string,
    options: {
      cause?: unknown;
      details?: ErrorBody['error']['details'];
      retryAfterSeconds?: number;
    } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.statusCode = statusCode;
    this.details = options.details;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  toBody(): ErrorBody {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.details ? { details: this.details } : {}),
      },
    };
  }
}

export const unauthorized = (message = 'Sign in first: this needs a valid session token.') =>
  new AppError('UNAUTHORIZED', 401, message);
