import { describe, expect, test } from 'vitest';
import { createSmsJob } from './sms-job.js';
import { SmsError, type SmsProvider } from './sms-provider.js';

describe('createSmsJob', () => {
  const sent: [string, string][] = [];
  const provider: SmsProvider = {
    name: 'memory',
    send: (to, body) => {
      sent.push([to, body]);
      return Promise.resolve();
    },
  };
  const job = createSmsJob(provider);

  test('sends the payload through the provider', async () => {
    await job.run({ to: '+14155552671', body: 'hi' }, 1);
    expect(sent).toEqual([['+14155552671', 'hi']]);
  });

  test('retries what the provider calls retryable, and unknown errors', () => {
    expect(job.maxAttempts).toBeGreaterThan(1);
    expect(job.isRetryable?.(new SmsError('503', true))).toBe(true);
    expect(job.isRetryable?.(new Error('socket hang up'))).toBe(true);
  });

  test('does not retry a final provider error', () => {
    expect(job.isRetryable?.(new SmsError('400', false))).toBe(false);
  });

  test('SmsError carries SMS_SEND_FAILED', () => {
    expect(new SmsError('x', false).code).toBe('SMS_SEND_FAILED');
  });
});
