import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { ConfigError, SETTINGS, flagName, loadConfig } from './config.js';

/** The error loadConfig throws, for assertions on the variable it names. */
function configError(env: NodeJS.ProcessEnv, argv: string[] = []): ConfigError {
  try {
    loadConfig(env, argv);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

const TWILIO = {
  SALON_SMS_PROVIDER: 'twilio',
  SALON_TWILIO_ACCOUNT_SID: 'AC1',
  SALON_TWILIO_AUTH_TOKEN: 'tok',
  SALON_TWILIO_FROM: '+15005550006',
};

describe('loadConfig', () => {
  test('defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      port: 3000,
      host: 'localhost',
      dataDir: path.resolve('./data'),
      databaseUrl: `sqlite:${path.resolve('./data', 'salon.db')}`,
      secret: undefined,
      logLevel: 'info',
      trustProxy: false,
      httpBodyLimitBytes: 65536,
      shutdownTimeoutSeconds: 10,
      smsProvider: 'console',
      smsCountries: undefined,
      twilioBaseUrl: 'https://api.twilio.com',
      otpTtlSeconds: 300,
      otpMaxAttempts: 5,
      otpResendCooldownSeconds: 30,
      otpPerNetworkPerHour: 60,
      otpNewPerRangePerHour: 10,
      smsNumberTypes: ['mobile', 'fixed_line_or_mobile'],
      otpPerIpPerHour: 20,
      otpPerHour: 1000,
      sessionTtlDays: 90,
    });
  });

  test('reads environment variables, an empty one counting as unset', () => {
    const c = loadConfig({
      PORT: '8080',
      SALON_DATA_DIR: '/tmp/salon-x',
      SALON_TRUST_PROXY: 'yes',
      SALON_SMS_COUNTRIES: ' us, ca ,',
      SALON_TWILIO_BASE_URL: 'http://127.0.0.1:9999/',
      SALON_LOG_LEVEL: '',
    });
    expect(c.port).toBe(8080);
    expect(c.dataDir).toBe('/tmp/salon-x');
    expect(c.databaseUrl).toBe('sqlite:/tmp/salon-x/salon.db');
    // `true` (or yes) means one proxy in front: the client address is the right-most forwarded one.
    expect(c.trustProxy).toBe(1);
    expect(c.smsCountries).toEqual(['US', 'CA']);
    expect(c.twilioBaseUrl).toBe('http://127.0.0.1:9999');
    expect(c.logLevel).toBe('info');
  });

  test('an explicit database URL is kept', () => {
    expect(loadConfig({ SALON_DATABASE_URL: 'sqlite:/var/salon.db' }).databaseUrl).toBe(
      'sqlite:/var/salon.db',
    );
  });

  test('a flag wins over its variable, in either --flag value or --flag=value form', () => {
    const c = loadConfig({ PORT: '8080', SALON_OTP_PER_HOUR: '10', HOST: 'a' }, [
      '--port',
      '9090',
      '--otp-per-hour=20',
      '--host=::',
    ]);
    expect(c.port).toBe(9090);
    expect(c.otpPerHour).toBe(20);
    expect(c.host).toBe('::');
  });

  test('flag names are the variable without SALON_, lower-case, dashed', () => {
    expect(flagName('SALON_DATA_DIR')).toBe('data-dir');
    expect(flagName('PORT')).toBe('port');
    expect(flagName('SALON_OTP_PER_IP_PER_HOUR')).toBe('otp-per-ip-per-hour');
    // Every setting can be given as a flag.
    for (const s of Object.values(SETTINGS)) {
      const value = 'default' in s ? s.default : undefined;
      if (value === undefined) continue;
      expect(() => loadConfig({}, [`--${flagName(s.env)}`, value])).not.toThrow();
    }
  });

  test.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ PORT: '65536' }, 'PORT'],
    [{ PORT: '-1' }, 'PORT'],
    [{ PORT: '80.5' }, 'PORT'],
    [{ PORT: ' ' }, 'PORT'],
    [{ PORT: '1e3' }, 'PORT'],
    [{ PORT: '0x50' }, 'PORT'],
    [{ HOST: '' }, undefined],
    [{ SALON_LOG_LEVEL: 'verbose' }, 'SALON_LOG_LEVEL'],
    [{ SALON_TRUST_PROXY: 'maybe' }, 'SALON_TRUST_PROXY'],
    [{ SALON_HTTP_BODY_LIMIT_BYTES: '10' }, 'SALON_HTTP_BODY_LIMIT_BYTES'],
    [{ SALON_SECRET: 'short' }, 'SALON_SECRET'],
    [{ SALON_DATABASE_URL: 'mysql://x' }, 'SALON_DATABASE_URL'],
    [{ SALON_SMS_PROVIDER: 'carrier-pigeon' }, 'SALON_SMS_PROVIDER'],
    [{ SALON_SMS_COUNTRIES: 'USA' }, 'SALON_SMS_COUNTRIES'],
    [{ SALON_TWILIO_BASE_URL: 'ftp://twilio' }, 'SALON_TWILIO_BASE_URL'],
    [{ SALON_OTP_TTL_SECONDS: '29' }, 'SALON_OTP_TTL_SECONDS'],
    [{ SALON_OTP_MAX_ATTEMPTS: '0' }, 'SALON_OTP_MAX_ATTEMPTS'],
    [{ SALON_OTP_RESEND_COOLDOWN_SECONDS: '-5' }, 'SALON_OTP_RESEND_COOLDOWN_SECONDS'],
    [{ SALON_OTP_PER_NETWORK_PER_HOUR: '0' }, 'SALON_OTP_PER_NETWORK_PER_HOUR'],
    [{ SALON_TRUST_PROXY: '10.0.0.1,not-an-address' }, 'SALON_TRUST_PROXY'],
    [{ SALON_TRUST_PROXY: '10.0.0.0/33' }, 'SALON_TRUST_PROXY'],
    [{ SALON_SMS_NUMBER_TYPES: 'mobile,satellite' }, 'SALON_SMS_NUMBER_TYPES'],
    [{ SALON_SMS_NUMBER_TYPES: ' , ' }, 'SALON_SMS_NUMBER_TYPES'],
    [{ SALON_OTP_PER_IP_PER_HOUR: 'many' }, 'SALON_OTP_PER_IP_PER_HOUR'],
    [{ SALON_OTP_PER_HOUR: '0' }, 'SALON_OTP_PER_HOUR'],
    [{ SALON_SESSION_TTL_DAYS: '0' }, 'SALON_SESSION_TTL_DAYS'],
    [{ SALON_SHUTDOWN_TIMEOUT_SECONDS: '0' }, 'SALON_SHUTDOWN_TIMEOUT_SECONDS'],
  ] as [Record<string, string>, string | undefined][])('%j is refused, naming %s', (env, name) => {
    if (name === undefined) {
      // An empty value is "unset": the default applies.
      expect(() => loadConfig(env)).not.toThrow();
      return;
    }
    const err = configError(env);
    expect(err.variable).toBe(name);
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message.startsWith(`${name}: `)).toBe(true);
    // The message shows the value it got, and fits on one line.
    expect(err.message).toContain(JSON.stringify(Object.values(env)[0]));
    expect(err.message).not.toContain('\n');
  });

  test('a bad flag value names the variable too', () => {
    expect(configError({}, ['--port', 'x']).variable).toBe('PORT');
  });

  test.each([
    [['--no-such-flag', '1'], '--no-such-flag', /unknown flag/],
    [['--port'], '--port', /missing value/],
    [['--port', '--host', 'x'], '--port', /missing value/],
    [['port=3000'], 'port=3000', /expected --flag/],
    [['-p', '3000'], '-p', /expected --flag/],
  ])('argv %j is refused, naming %s', (argv, name, message) => {
    const err = configError({}, argv);
    expect(err.variable).toBe(name);
    expect(err.message).toMatch(message);
  });

  test('twilio needs its account SID, auth token and sender', () => {
    expect(loadConfig(TWILIO).smsProvider).toBe('twilio');
    for (const missing of [
      'SALON_TWILIO_ACCOUNT_SID',
      'SALON_TWILIO_AUTH_TOKEN',
      'SALON_TWILIO_FROM',
    ] as const) {
      const err = configError({ ...TWILIO, [missing]: '' });
      expect(err.variable).toBe(missing);
      expect(err.message).toContain('SALON_SMS_PROVIDER=twilio');
    }
  });

  test('conflicting settings are refused, naming both', () => {
    const err = configError({
      SALON_POLL_WAIT_SECONDS: '60',
      SALON_POLL_SESSION_TTL_SECONDS: '60',
    });
    expect(err.variable).toBe('SALON_POLL_WAIT_SECONDS');
    expect(err.message).toContain('SALON_POLL_SESSION_TTL_SECONDS');
    // Node requires the headers to arrive within the time the whole request has.
    const timeouts = configError({
      SALON_HTTP_HEADERS_TIMEOUT_SECONDS: '40',
      SALON_HTTP_REQUEST_TIMEOUT_SECONDS: '30',
    });
    expect(timeouts.variable).toBe('SALON_HTTP_HEADERS_TIMEOUT_SECONDS');
    expect(timeouts.message).toContain('SALON_HTTP_REQUEST_TIMEOUT_SECONDS');
  });

  test('the console provider needs no Twilio settings', () => {
    expect(loadConfig({ SALON_SMS_PROVIDER: 'console' }).twilioAccountSid).toBeUndefined();
  });
});

describe('SALON_TRUST_PROXY', () => {
  test.each([
    ['false', false],
    ['true', 1],
    ['1', 1],
    ['2', 2],
    ['10.0.0.1', ['10.0.0.1']],
    [' 10.0.0.0/8, ::1 ,fd00::/8', ['10.0.0.0/8', '::1', 'fd00::/8']],
  ])('%j is %j', (raw, expected) => {
    expect(loadConfig({ SALON_TRUST_PROXY: raw }).trustProxy).toEqual(expected);
  });
});

describe('the README', () => {
  const readme = fs.readFileSync(
    path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../README.md'),
    'utf8',
  );
  // The configuration table's rows: | `VAR` | default | what it does |
  const rows = new Map(
    [...readme.matchAll(/^\| `([A-Z_]+)` +\| ([^|]*?) *\|/gm)].map((m) => [m[1]!, m[2]!.trim()]),
  );

  test('documents every setting in its configuration table, and nothing else', () => {
    expect([...rows.keys()].sort()).toEqual(
      Object.values(SETTINGS)
        .map((s) => s.env)
        .sort(),
    );
  });

  test("gives each setting's real default", () => {
    for (const s of Object.values(SETTINGS)) {
      if (!('default' in s) || s.default === undefined) continue;
      expect(rows.get(s.env), s.env).toBe(`\`${s.default}\``);
    }
  });
});
