import type { Job } from '../../jobs/job-queue.js';
import { SmsError, type SmsProvider } from './sms-provider.js';

export interface SmsPayload {
  to: string;
  body: string;
}

/** Sends an SMS off the request path, so a slow or failing provider never blocks sign-in. */
export function createSmsJob(provider: SmsProvider): Job<SmsPayload> {
  return {
    name: 'sms',
    maxAttempts: 4,
    run: (payload) => provider.send(payload.to, payload.body),
    isRetryable: (err) => !(err instanceof SmsError) || err.retryable,
  };
}
