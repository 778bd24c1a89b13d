import { isIP } from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { SMS_NUMBER_KINDS } from './auth/phone-kinds.js';
import { ConfigError } from './config-error.js';

export { ConfigError };

/**
 * Salon's configuration: every setting is an environment variable with a `salon start --flag`
 * equivalent (the variable without `SALON_`, lower-case, dashes: SALON_DATA_DIR → --data-dir).
 * A flag wins over its variable. A bad value stops the start with one line naming the variable.
 * The README's configuration table is this list.
 */

// Whole decimal numbers only: a blank value must not coerce to 0 (PORT=" " would silently mean
// "any port"), nor "1e3" or "0x10" pass for numbers a person did not write.
const int = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));
const countryList = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((c) => c.trim().toUpperCase())
      .filter((c) => c !== ''),
  )
  .pipe(z.array(z.string().regex(/^[A-Z]{2}$/, 'must be ISO 3166-1 alpha-2 codes, e.g. "US,GB"')));

/**
 * SALON_TRUST_PROXY: `false`; `true` (one proxy in front); a hop count; or the proxies' addresses
 * and CIDR ranges, comma-separated. The client address is read from X-Forwarded-For counting
 * from the right, past trusted hops only: the left-most entry is whatever the client wrote.
 */
const trustProxy = z
  .string()
  .trim()
  .transform((s, ctx): false | number | string[] => {
    const v = s.toLowerCase();
    if (['false', '0', 'no'].includes(v)) return false;
    if (['true', 'yes'].includes(v)) return 1;
    if (/^\d+$/.test(v)) return Number(v);
    const list = s
      .split(',')
      .map((a) => a.trim())
      .filter((a) => a !== '');
    const bad = list.find((a) => {
      const [addr = '', bits, extra] = a.split('/');
      const family = isIP(addr);
      if (family === 0 || extra !== undefined) return true;
      if (bits === undefined) return false;
      return !/^\d+$/.test(bits) || Number(bits) > (family === 4 ? 32 : 128);
    });
    if (list.length === 0 || bad !== undefined) {
      ctx.addIssue({
        code: 'custom',
        message: `must be true, false, a hop count, or proxy addresses/CIDRs${bad === undefined ? '' : ` (not an address: ${bad})`}`,
      });
      return z.NEVER;
    }
    return list;
  });

const numberKinds = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((k) => k.trim().toLowerCase())
      .filter((k) => k !== ''),
  )
  .pipe(
    z
      .array(z.enum(SMS_NUMBER_KINDS, { error: `must be among ${SMS_NUMBER_KINDS.join(', ')}` }))
      .min(1),
  );

interface Setting<T extends z.ZodType> {
  env: string;
  schema: T;
  /** Raw default, parsed by `schema` like any value; undefined means "unset" (optional). */
  default?: string;
  doc: string;
}

function setting<T extends z.ZodType>(s: Setting<T>): Setting<T> {
  return s;
}

export const SETTINGS = {
  port: setting({
    env: 'PORT',
    schema: int(0, 65535),
    default: '3000',
    doc: 'TCP port for HTTP and WebSocket.',
  }),
  host: setting({
    env: 'HOST',
    schema: z.string().min(1),
    default: 'localhost',
    doc: 'Interface to listen on (`0.0.0.0` or `::` for every interface).',
  }),
  dataDir: setting({
    env: 'SALON_DATA_DIR',
    schema: z.string().min(1),
    default: './data',
    doc: 'Directory for the SQLite database and the generated secret.',
  }),
  databaseUrl: setting({
    env: 'SALON_DATABASE_URL',
    schema: z
      .string()
      .regex(/^(sqlite:|postgres(ql)?:\/\/)/, 'must start with sqlite: or postgres://')
      .optional(),
    doc: 'Database. `sqlite:<file>` (default: `sqlite:<data dir>/salon.db`) or `postgres://user:pass@host:port/db`.',
  }),
  secret: setting({
    env: 'SALON_SECRET',
    schema: z.string().min(32, 'must be at least 32 characters').optional(),
    doc: 'Key for one-time-code hashes and signed tickets. Unset: generated once and kept in `<data dir>/secret`.',
  }),
  logLevel: setting({
    env: 'SALON_LOG_LEVEL',
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    default: 'info',
    doc: 'pino log level.',
  }),
  trustProxy: setting({
    env: 'SALON_TRUST_PROXY',
    schema: trustProxy,
    default: 'false',
    doc: 'Reverse proxies to trust for `X-Forwarded-*` (client IP, TLS): `true` for one, a hop count, or their addresses/CIDRs, comma-separated. The client IP is read from the right.',
  }),
  httpBodyLimitBytes: setting({
    env: 'SALON_HTTP_BODY_LIMIT_BYTES',
    schema: int(1024, 16 * 1024 * 1024),
    default: '65536',
    doc: 'Largest accepted HTTP request body, in bytes (larger: 413).',
  }),
  httpMaxHeaderBytes: setting({
    env: 'SALON_HTTP_MAX_HEADER_BYTES',
    schema: int(1024, 1024 * 1024),
    default: '16384',
    doc: "Largest request head (request line and headers, WebSocket upgrades included), in bytes; larger: 431 and the connection is closed. Node's own default.",
  }),
  httpHeadersTimeoutSeconds: setting({
    env: 'SALON_HTTP_HEADERS_TIMEOUT_SECONDS',
    schema: int(1, 300),
    default: '15',
    doc: 'How long a client may take to send the headers of a request or WebSocket upgrade, in seconds; slower (a slowloris): 408 and closed, within about a second more.',
  }),
  httpRequestTimeoutSeconds: setting({
    env: 'SALON_HTTP_REQUEST_TIMEOUT_SECONDS',
    schema: int(1, 3600),
    default: '30',
    doc: "How long a client may take to send a whole request, headers and body, in seconds; slower: 408 and closed. The time the server takes to answer (a long poll's wait) does not count.",
  }),
  shutdownTimeoutSeconds: setting({
    env: 'SALON_SHUTDOWN_TIMEOUT_SECONDS',
    schema: int(1, 300),
    default: '10',
    doc: 'On SIGTERM/SIGINT, how long clients, requests under way and queued work get, all together, before the node closes anyway; it exits at most 5 s after that.',
  }),
  smsProvider: setting({
    env: 'SALON_SMS_PROVIDER',
    schema: z.enum(['console', 'twilio']),
    default: 'console',
    doc: '`console` prints each SMS on stdout; `twilio` sends it through Twilio’s Messages API.',
  }),
  smsNumberTypes: setting({
    env: 'SALON_SMS_NUMBER_TYPES',
    schema: numberKinds,
    default: 'mobile,fixed_line_or_mobile',
    doc: 'Kinds of numbers that get codes, against SMS-pumping fraud: libphonenumber types (`mobile`, `fixed_line_or_mobile`, `fixed_line`, `voip`, `toll_free`, `premium_rate`, …) and `non_geographic` (satellite, global numbers).',
  }),
  smsCountries: setting({
    env: 'SALON_SMS_COUNTRIES',
    schema: countryList.optional(),
    doc: 'Comma-separated ISO country codes allowed to receive codes (e.g. `US,CA`); unset allows all.',
  }),
  twilioAccountSid: setting({
    env: 'SALON_TWILIO_ACCOUNT_SID',
    schema: z.string().min(1).optional(),
    doc: 'Twilio account SID (required with `twilio`).',
  }),
  twilioAuthToken: setting({
    env: 'SALON_TWILIO_AUTH_TOKEN',
    schema: z.string().min(1).optional(),
    doc: 'Twilio auth token (required with `twilio`).',
  }),
  twilioFrom: setting({
    env: 'SALON_TWILIO_FROM',
    schema: z.string().min(1).optional(),
    doc: 'Sender number or messaging service (required with `twilio`).',
  }),
  twilioBaseUrl: setting({
    env: 'SALON_TWILIO_BASE_URL',
    schema: z.url({ protocol: /^https?$/ }).transform((u) => u.replace(/\/+$/, '')),
    default: 'https://api.twilio.com',
    doc: 'Base URL of the Twilio API (point it at a fake for tests).',
  }),
  otpTtlSeconds: setting({
    env: 'SALON_OTP_TTL_SECONDS',
    schema: int(30, 3600),
    default: '300',
    doc: 'Lifetime of a one-time code, in seconds.',
  }),
  otpMaxAttempts: setting({
    env: 'SALON_OTP_MAX_ATTEMPTS',
    schema: int(1, 20),
    default: '5',
    doc: 'Wrong tries that kill a code.',
  }),
  otpResendCooldownSeconds: setting({
    env: 'SALON_OTP_RESEND_COOLDOWN_SECONDS',
    schema: int(0, 900),
    default: '30',
    doc: 'Wait before a second code to one number, in seconds; it doubles with each further code, up to 15 min, and is forgotten after a day. 0 turns it off.',
  }),
  otpPerIpPerHour: setting({
    env: 'SALON_OTP_PER_IP_PER_HOUR',
    schema: int(1, 1_000_000),
    default: '20',
    doc: 'Codes one client address (IPv4, or IPv6 /64) may request per hour.',
  }),
  otpPerNetworkPerHour: setting({
    env: 'SALON_OTP_PER_NETWORK_PER_HOUR',
    schema: int(1, 1_000_000),
    default: '60',
    doc: 'Codes one network (IPv4 /24, IPv6 /48) may request per hour.',
  }),
  otpNewPerRangePerHour: setting({
    env: 'SALON_OTP_NEW_PER_RANGE_PER_HOUR',
    schema: int(1, 1_000_000),
    default: '10',
    doc: 'Codes per hour to numbers that never signed in, per block of 100 adjacent numbers.',
  }),
  otpNewPerCallingCodePerHour: setting({
    env: 'SALON_OTP_NEW_PER_CALLING_CODE_PER_HOUR',
    schema: int(1, 100_000_000),
    default: '200',
    doc: 'Codes per hour to numbers that never signed in, per country calling code.',
  }),
  otpPerHour: setting({
    env: 'SALON_OTP_PER_HOUR',
    schema: int(1, 100_000_000),
    default: '1000',
    doc: 'Codes per hour to numbers that never signed in, server-wide (caps the SMS bill); numbers that signed in before are not counted.',
  }),
  otpWrongCodesPerIpPerHour: setting({
    env: 'SALON_OTP_WRONG_CODES_PER_IP_PER_HOUR',
    schema: int(1, 1_000_000),
    default: '60',
    doc: 'Wrong codes one client address may enter per hour, across numbers.',
  }),
  // Abuse limits (issue 12): guessing, SMS pumping, connection floods. Kept in one block.
  otpWrongCodesPerNumberPerDay: setting({
    env: 'SALON_OTP_WRONG_CODES_PER_NUMBER_PER_DAY',
    schema: int(1, 1000),
    default: '10',
    doc: 'Wrong codes one number may draw in a day before sign-in for it is locked (`OTP_NUMBER_LOCKED`); its code is void, and each further wrong code that day locks it again.',
  }),
  otpLockSeconds: setting({
    env: 'SALON_OTP_LOCK_SECONDS',
    schema: int(60, 86_400),
    default: '3600',
    doc: 'How long a number locked for wrong codes stays locked, in seconds.',
  }),
  otpNewPerWideRangePerHour: setting({
    env: 'SALON_OTP_NEW_PER_WIDE_RANGE_PER_HOUR',
    schema: int(1, 1_000_000),
    default: '30',
    doc: 'Codes per hour to numbers that never signed in, per block of 10,000 adjacent numbers (a walk across adjacent blocks of 100).',
  }),
  cableMaxConnectionsPerIp: setting({
    env: 'SALON_CABLE_MAX_CONNECTIONS_PER_IP',
    schema: int(1, 1_000_000),
    default: '500',
    doc: 'Open connections (WebSocket and long-poll sessions) one client address (IPv4, or IPv6 /64) may hold on one node; room for an office or a carrier NAT.',
  }),
  cableConnectsPerIpPerSecond: setting({
    env: 'SALON_CABLE_CONNECTS_PER_IP_PER_SECOND',
    schema: int(1, 1_000_000),
    default: '20',
    doc: 'Connection attempts (WebSocket upgrades, new long-poll sessions) one client address may make per second, counted in the limit store (Redis in a cluster).',
  }),
  limitSendsPerSecond: setting({
    env: 'SALON_LIMIT_SENDS_PER_SECOND',
    schema: int(1, 1_000_000),
    default: '10',
    doc: 'Messages one person may send per second over the cable (`speak`), across their connections on a node, sustained; past it the action answers `RATE_LIMITED` with `retry_after`.',
  }),
  limitSendBurst: setting({
    env: 'SALON_LIMIT_SEND_BURST',
    schema: int(1, 1_000_000),
    default: '30',
    doc: 'Messages one person may send at once over the cable before `SALON_LIMIT_SENDS_PER_SECOND` applies.',
  }),
  sessionTtlDays: setting({
    env: 'SALON_SESSION_TTL_DAYS',
    schema: int(1, 3650),
    default: '90',
    doc: 'Days a sign-in stays valid (until logout or revocation).',
  }),
  limitGroupsPerHour: setting({
    env: 'SALON_LIMIT_GROUPS_PER_HOUR',
    schema: int(1, 1_000_000),
    default: '50',
    doc: 'Groups one person may create per hour.',
  }),
  limitDmsPerHour: setting({
    env: 'SALON_LIMIT_DMS_PER_HOUR',
    schema: int(1, 1_000_000),
    default: '100',
    doc: 'Direct conversations one person may open per hour.',
  }),
  limitMemberAddsPerHour: setting({
    env: 'SALON_LIMIT_MEMBER_ADDS_PER_HOUR',
    schema: int(1, 10_000_000),
    default: '1000',
    doc: 'People one person may add to groups per hour (a new group’s members count).',
  }),
  limitHttpSendsPerMinute: setting({
    env: 'SALON_LIMIT_HTTP_SENDS_PER_MINUTE',
    schema: int(1, 1_000_000),
    default: '120',
    doc: 'Messages one person may send per minute over HTTP (`POST …/messages`).',
  }),
  messageWriter: setting({
    env: 'SALON_MESSAGE_WRITER',
    schema: z.enum(['thread', 'main']),
    default: 'thread',
    doc: 'SQLite only: store messages on a writer thread (`thread`), keeping commit and checkpoint stalls off the event loop, or on the main thread (`main`).',
  }),
  messageCommitIntervalMs: setting({
    env: 'SALON_MESSAGE_COMMIT_INTERVAL_MS',
    schema: int(0, 1000),
    default: '4',
    doc: 'Under load (from two messages per commit), the least time in ms between the starts of two message commits: what arrives meanwhile goes in one transaction. Light traffic is stored at once. 0: each commit starts as soon as the previous one ends.',
  }),
  allowedOrigins: setting({
    env: 'SALON_ALLOWED_ORIGINS',
    schema: z
      .string()
      .transform((s) =>
        s
          .split(',')
          .map((o) => o.trim())
          .filter((o) => o !== ''),
      )
      .pipe(
        z.array(
          z
            .string()
            .regex(/^(\*|https?:\/\/[^/\s]+)$/, 'must be origins like https://chat.example.com'),
        ),
      )
      .optional(),
    doc: 'Comma-separated origins allowed to use the session cookie besides the server’s own: on `/cable` and on every state-changing request (cross-site request forgery and WebSocket hijacking guard).',
  }),
  cableTicketTtlSeconds: setting({
    env: 'SALON_CABLE_TICKET_TTL_SECONDS',
    schema: int(10, 3600),
    default: '300',
    doc: 'Lifetime of a connect ticket from `POST /api/cable/tickets`, in seconds.',
  }),
  cableMaxConnectionsPerUser: setting({
    env: 'SALON_CABLE_MAX_CONNECTIONS_PER_USER',
    schema: int(1, 10_000),
    default: '32',
    doc: 'Live connections (devices, tabs) one user may hold.',
  }),
  cableMaxSubscriptionsPerConnection: setting({
    env: 'SALON_CABLE_MAX_SUBSCRIPTIONS_PER_CONNECTION',
    schema: int(1, 100_000),
    default: '500',
    doc: 'Channel subscriptions one connection may hold (the SDK holds one; a Rails-style client holds one per open room).',
  }),
  cableMaxSubscriptionsPerUser: setting({
    env: 'SALON_CABLE_MAX_SUBSCRIPTIONS_PER_USER',
    schema: int(1, 1_000_000),
    default: '2000',
    doc: 'Channel subscriptions one user may hold across all of their connections.',
  }),
  cableMaxBufferedBytes: setting({
    env: 'SALON_CABLE_MAX_BUFFERED_BYTES',
    schema: int(65_536, 1 << 30),
    default: '1048576',
    doc: 'Unsent bytes one connection may hold before it is disconnected as a slow consumer.',
  }),
  cableCommandsPerSecond: setting({
    env: 'SALON_CABLE_COMMANDS_PER_SECOND',
    schema: int(1, 100_000),
    default: '50',
    doc: 'Commands per second one connection may send (sustained).',
  }),
  cableCommandBurst: setting({
    env: 'SALON_CABLE_COMMAND_BURST',
    schema: int(1, 100_000),
    default: '100',
    doc: 'Commands one connection may send at once before the rate applies.',
  }),
  cableHistoryLimit: setting({
    env: 'SALON_CABLE_HISTORY_LIMIT',
    schema: int(0, 1_000_000),
    default: '500',
    doc: 'Broadcasts kept per stream for ext-protocol `history`.',
  }),
  cableHistoryTtlSeconds: setting({
    env: 'SALON_CABLE_HISTORY_TTL_SECONDS',
    schema: int(1, 86_400),
    default: '900',
    doc: 'How long a broadcast is kept for `history`, in seconds.',
  }),
  cableSessionRestoreSeconds: setting({
    env: 'SALON_CABLE_SESSION_RESTORE_SECONDS',
    schema: int(0, 86_400),
    default: '120',
    doc: 'How long an ext-protocol session can be restored (`?sid=`) after its connection drops.',
  }),
  pollWaitSeconds: setting({
    env: 'SALON_POLL_WAIT_SECONDS',
    schema: int(1, 120),
    default: '25',
    doc: 'Long polling: how long a poll waits for frames before answering empty.',
  }),
  pollSessionTtlSeconds: setting({
    env: 'SALON_POLL_SESSION_TTL_SECONDS',
    schema: int(5, 3600),
    default: '60',
    doc: 'Long polling: a session whose client stops polling for this long ends.',
  }),
  pollMaxQueuedFrames: setting({
    env: 'SALON_POLL_MAX_QUEUED_FRAMES',
    schema: int(10, 1_000_000),
    default: '2000',
    doc: 'Long polling: frames kept between polls; past it the session ends with a reconnect hint.',
  }),
  databasePoolSize: setting({
    env: 'SALON_DATABASE_POOL_SIZE',
    schema: int(1, 1000),
    default: '10',
    doc: 'PostgreSQL only: most connections this process opens to the database (a cluster node opens one more, for the room order lock).',
  }),
  redisUrl: setting({
    env: 'SALON_REDIS_URL',
    schema: z
      .string()
      .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
      .optional(),
    doc: 'Cluster mode: the Redis every node shares (`redis://host:6379/0`). Requires a PostgreSQL `SALON_DATABASE_URL` and `SALON_SECRET`. Unset: one process, everything in memory.',
  }),
  redisKeyPrefix: setting({
    env: 'SALON_REDIS_KEY_PREFIX',
    schema: z.string().regex(/^[A-Za-z0-9:_.-]{1,64}$/, 'must be 1-64 of A-Z a-z 0-9 : _ . -'),
    default: 'salon:',
    doc: 'Cluster mode: prefix of every Redis key and channel (several clusters can share one Redis).',
  }),
  nodeName: setting({
    env: 'SALON_NODE_NAME',
    schema: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 of A-Z a-z 0-9 _ -')
      .optional(),
    doc: "Cluster mode: this node's name, unique in the cluster; long-poll session ids start with it (default: `<hostname>-<pid>`).",
  }),
  clusterNodeTimeoutSeconds: setting({
    env: 'SALON_CLUSTER_NODE_TIMEOUT_SECONDS',
    schema: int(2, 3600),
    default: '10',
    doc: 'Cluster mode: a node silent for this long is dead; its people go offline and its connection counts are dropped.',
  }),
} as const;

type Settings = typeof SETTINGS;
export type Config = Omit<
  { -readonly [K in keyof Settings]: z.output<Settings[K]['schema']> },
  'databaseUrl'
> & {
  /** The database URL with the default filled in. */
  databaseUrl: string;
};

export function flagName(env: string): string {
  return env
    .replace(/^SALON_/, '')
    .toLowerCase()
    .replaceAll('_', '-');
}

/**
 * Reads the configuration from `env`, overridden by `--flag value` / `--flag=value` pairs in `argv`.
 * Throws ConfigError naming the first bad variable.
 */
export function loadConfig(env: NodeJS.ProcessEnv, argv: readonly string[] = []): Config {
  const flags = parseFlags(argv);
  const out: Record<string, unknown> = {};
  for (const [key, s] of Object.entries(SETTINGS) as [string, Setting<z.ZodType>][]) {
    const flag = flagName(s.env);
    const raw = flags.get(flag) ?? emptyToUndefined(env[s.env]) ?? s.default;
    flags.delete(flag);
    const parsed = s.schema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const shown = raw === undefined ? 'unset' : JSON.stringify(raw);
      throw new ConfigError(s.env, `${issue?.message ?? 'invalid value'} (got ${shown})`);
    }
    out[key] = parsed.data;
  }
  const unknown = [...flags.keys()][0];
  if (unknown !== undefined) throw new ConfigError(`--${unknown}`, 'unknown flag');

  const dataDir = path.resolve(out.dataDir as string);
  const config = {
    ...out,
    dataDir,
    databaseUrl:
      (out.databaseUrl as string | undefined) ?? `sqlite:${path.join(dataDir, 'salon.db')}`,
  } as Config;
  if (config.smsProvider === 'twilio') {
    for (const key of ['twilioAccountSid', 'twilioAuthToken', 'twilioFrom'] as const) {
      if (config[key] === undefined) {
        throw new ConfigError(SETTINGS[key].env, 'required when SALON_SMS_PROVIDER=twilio');
      }
    }
  }
  if (config.httpHeadersTimeoutSeconds > config.httpRequestTimeoutSeconds) {
    throw new ConfigError(
      'SALON_HTTP_HEADERS_TIMEOUT_SECONDS',
      'must not be longer than SALON_HTTP_REQUEST_TIMEOUT_SECONDS',
    );
  }
  if (config.pollWaitSeconds >= config.pollSessionTtlSeconds) {
    throw new ConfigError(
      'SALON_POLL_WAIT_SECONDS',
      'must be shorter than SALON_POLL_SESSION_TTL_SECONDS',
    );
  }
  return config;
}

function emptyToUndefined(v: string | undefined): string | undefined {
  return v === undefined || v === '' ? undefined : v;
}

function parseFlags(argv: readonly string[]): Map<string, string> {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const m = /^--([a-z0-9-]+)(?:=(.*))?$/.exec(arg);
    if (!m?.[1]) throw new ConfigError(arg, 'expected --flag value or --flag=value');
    let value = m[2];
    if (value === undefined) {
      value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) {
        throw new ConfigError(`--${m[1]}`, 'missing value');
      }
      i++;
    }
    flags.set(m[1], value);
  }
  return flags;
}
