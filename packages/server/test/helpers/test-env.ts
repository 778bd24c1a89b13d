import type { TwilioFake } from './twilio-fake.js';

/** Settings that send a Salon's SMS to a Twilio fake on loopback. */
export function smsToFake(sms: Pick<TwilioFake, 'baseUrl'>): Record<string, string> {
  return {
    SALON_SMS_PROVIDER: 'twilio',
    SALON_TWILIO_ACCOUNT_SID: 'ACtest',
    SALON_TWILIO_AUTH_TOKEN: 'test-token',
    SALON_TWILIO_FROM: '+15005550006',
    SALON_TWILIO_BASE_URL: sms.baseUrl,
  };
}

/**
 * Limits wide enough for tests and benchmarks, which sign many people in from one IP, with
 * adjacent numbers, and act fast; each limit has its own test that lowers it.
 */
export const WIDE_LIMITS: Readonly<Record<string, string>> = {
  SALON_OTP_PER_IP_PER_HOUR: '100000',
  SALON_OTP_PER_NETWORK_PER_HOUR: '100000',
  SALON_OTP_NEW_PER_RANGE_PER_HOUR: '100000',
  SALON_OTP_NEW_PER_CALLING_CODE_PER_HOUR: '100000',
  SALON_OTP_PER_HOUR: '100000',
  SALON_OTP_RESEND_COOLDOWN_SECONDS: '0',
  SALON_OTP_NEW_PER_WIDE_RANGE_PER_HOUR: '100000',
  SALON_OTP_WRONG_CODES_PER_NUMBER_PER_DAY: '1000',
  SALON_CABLE_MAX_CONNECTIONS_PER_IP: '100000',
  SALON_CABLE_CONNECTS_PER_IP_PER_SECOND: '100000',
  SALON_LIMIT_GROUPS_PER_HOUR: '100000',
  SALON_LIMIT_DMS_PER_HOUR: '100000',
  SALON_LIMIT_MEMBER_ADDS_PER_HOUR: '1000000',
  SALON_LIMIT_HTTP_SENDS_PER_MINUTE: '100000',
  SALON_LIMIT_SENDS_PER_SECOND: '100000',
  SALON_LIMIT_SEND_BURST: '100000',
};
