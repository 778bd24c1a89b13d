import { SmsError, type SmsProvider } from './sms-provider.js';

export interface TwilioOptions {
  accountSid: string;
  authToken: string;
  from: string;
  /** e.g. https://api.twilio.com, without a trailing slash. */
  baseUrl: string;
  /** Per-request timeout in ms. Default 10,000. */
  timeoutMs?: number;
}

/** Twilio's Messages REST API: POST {base}/2010-04-01/Accounts/{sid}/Messages.json. */
export class TwilioSmsProvider implements SmsProvider {
  readonly name = 'twilio';
  readonly #opts: TwilioOptions;

  constructor(opts: TwilioOptions) {
    this.#opts = opts;
  }

  async send(to: string, body: string): Promise<void> {
    const { accountSid, authToken, from, baseUrl } = this.#opts;
    const url = `${baseUrl}/2010-04-01/Accounts/${encodeURIComponent(accountSid)}/Messages.json`;
    const form = new URLSearchParams({ To: to, From: from, Body: body });
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: form,
        signal: AbortSignal.timeout(this.#opts.timeoutMs ?? 10_000),
      });
    } catch (err) {
      throw new SmsError('Twilio could not be reached', true, { cause: err });
    }
    if (res.ok) {
      await res.body?.cancel();
      return;
    }
    const detail = providerDetail(await res.text().catch(() => ''));
    // 429 and 5xx are Twilio's trouble and pass; other 4xx (bad number, bad credentials) will not.
    const retryable = res.status === 429 || res.status >= 500;
    throw new SmsError(`Twilio answered ${res.status}: ${detail}`, retryable);
  }
}

/**
 * What of a provider's error body is fit for the logs: Twilio's error code and sentence, with
 * anything that looks like a phone number masked (Twilio puts the number in its messages, and
 * logs are kept and shipped where phone numbers must not go).
 */
export function providerDetail(body: string): string {
  let text = body;
  try {
    const json = JSON.parse(body) as { code?: unknown; message?: unknown };
    const part = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');
    text = `${part(json.code)} ${part(json.message)}`.trim();
  } catch {
    // Not JSON: the text itself, masked below.
  }
  return text.replace(/\+?\d[\d\s().-]{5,}\d/g, '[number]').slice(0, 300);
}
