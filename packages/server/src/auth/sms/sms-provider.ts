/** Sends one text message. Implementations throw SmsError; `retryable` says whether to try again. */
export interface SmsProvider {
  readonly name: string;
  send(to: string, body: string): Promise<void>;
}

export class SmsError extends Error {
  readonly code = 'SMS_SEND_FAILED';
  constructor(
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SmsError';
  }
}
