import { availableParallelism } from 'node:os';
import fastifyCookie from '@fastify/cookie';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { authRoutes } from './auth/auth.routes.js';
import { OtpLimits } from './auth/otp-limits.js';
import { OtpService } from './auth/otp-service.js';
import { SessionService } from './auth/session-service.js';
import { ConsoleSmsProvider } from './auth/sms/console-sms-provider.js';
import { createSmsJob } from './auth/sms/sms-job.js';
import type { SmsProvider } from './auth/sms/sms-provider.js';
import { TwilioSmsProvider } from './auth/sms/twilio-sms-provider.js';
import type { CableServer } from './cable/cable-server.js';
import { createCable } from './cable/create-cable.js';
import { createChat } from './chat/create-chat.js';
import { cableRoutes } from './cable/cable.routes.js';
import type { Config } from './config.js';
import type { Db } from './db/database.js';
import { openBackend, type DatabaseBackend } from './db/database-backend.js';
import { installErrorHandler, frameworkErrorHandler } from './http/error-handler.js';
import { checkOrigins, originPolicy } from './http/origin.js';
import { installUtf8JsonParser } from './http/utf8-json.js';
import { requestLogSerializer } from './logger.js';
import { InProcessJobQueue } from './jobs/in-process-job-queue.js';
import type { JobQueue } from './jobs/job-queue.js';
import { ActionLimits } from './limits/action-limits.js';
import { SendRate } from './limits/send-rate.js';
import { openNodeBackend, type NodeBackend } from './cluster/node-backend.js';
import { createLogger } from './logger.js';
import { loadSecret } from './secret.js';
import { warmValidators } from './warm-validators.js';

export interface Salon {
  readonly config: Config;
  readonly http: FastifyInstance;
  readonly db: Db;
  /** The database chosen at start: its kind, Kysely, the raw handle, the message store. */
  readonly database: DatabaseBackend;
  readonly jobs: JobQueue;
  readonly sessions: SessionService;
  readonly cable: CableServer;
  readonly chat: ReturnType<typeof createChat>;
  readonly log: Logger;
  /** What this node shares with the others (memory for one node, Redis in a cluster). */
  readonly backend: NodeBackend;
  /** Starts listening; resolves with the bound port. */
  listen(): Promise<number>;
  /** Stops accepting, finishes queued work (up to the shutdown timeout), closes the database. */
  close(): Promise<void>;
}

export interface SalonOptions {
  logger?: Logger;
  /** Replaces the configured SMS provider (tests that want to read codes directly). */
  smsProvider?: SmsProvider;
}

/** Builds a Salon server from its configuration; nothing listens until `listen()`. */
export async function createSalon(config: Config, options: SalonOptions = {}): Promise<Salon> {
  const log = options.logger ?? createLogger(config.logLevel);
  // First: a cluster start that lacks a setting stops before anything is opened.
  const backend = await openNodeBackend(config, log);
  const secret = loadSecret(config.secret, config.dataDir);
  const database = await openBackend({
    url: config.databaseUrl,
    poolSize: config.databasePoolSize,
    messageWriter: config.messageWriter,
    log,
  });
  const { db, messageStore } = database;
  // Several nodes number and publish the same rooms' messages: see room-order-lock.ts. Loaded
  // only then: one node does not load pg.
  const roomOrder =
    backend.kind === 'cluster' && database.kind === 'postgres'
      ? (await import('./chat/room-order-lock.js')).PostgresRoomOrderLock.open(
          config.databaseUrl,
          log.child({ part: 'room-order' }),
        )
      : undefined;
  // The writer (thread, statements) gets ready while the rest is built; listen() waits for it, so
  // that the first message after a start does not pay for it. Until then nobody is listening to
  // a failure: listen() rethrows it.
  const storeReady = messageStore.warm?.() ?? Promise.resolve();
  storeReady.catch(() => undefined);
  // Meanwhile, on this thread: the parsers a message goes through (see warm-validators.ts).
  const coldSamples = warmValidators();
  if (coldSamples.length > 0) log.warn({ samples: coldSamples }, 'warm-up samples do not parse');
  const smsProvider = options.smsProvider ?? createSmsProvider(config);
  const smsJob = createSmsJob(smsProvider);
  const jobs = backend.jobs(new InProcessJobQueue(log.child({ part: 'jobs' })), [smsJob]);
  const limitStore = backend.limits;

  const sessions = new SessionService(db, config.sessionTtlDays);
  const otp = new OtpService({
    db,
    secret,
    jobs,
    smsJob,
    limits: new OtpLimits(limitStore, {
      resendCooldownSeconds: config.otpResendCooldownSeconds,
      perIpPerHour: config.otpPerIpPerHour,
      perNetworkPerHour: config.otpPerNetworkPerHour,
      newPerRangePerHour: config.otpNewPerRangePerHour,
      newPerWideRangePerHour: config.otpNewPerWideRangePerHour,
      newPerCallingCodePerHour: config.otpNewPerCallingCodePerHour,
      newPerHour: config.otpPerHour,
      wrongCodesPerIpPerHour: config.otpWrongCodesPerIpPerHour,
      wrongCodesPerNumberPerDay: config.otpWrongCodesPerNumberPerDay,
      lockSeconds: config.otpLockSeconds,
    }),
    ttlSeconds: config.otpTtlSeconds,
    maxAttempts: config.otpMaxAttempts,
    countries: config.smsCountries,
    numberKinds: config.smsNumberTypes,
  });

  const { cable, broker, tickets, presence } = await createCable(config, {
    secret,
    sessions,
    log: log.child({ part: 'cable' }),
    backend,
  });

  // Typed as Fastify's logger so routes and plugins see the plain FastifyInstance type. Request
  // logs show paths without their query strings: a connect ticket travels in one.
  const loggerInstance: FastifyBaseLogger = log.child(
    {},
    { serializers: { req: requestLogSerializer } },
  );
  const http = Fastify({
    loggerInstance,
    bodyLimit: config.httpBodyLimitBytes,
    // Slow or oversized request heads are cut off by Node's HTTP parser, before any route or
    // WebSocket upgrade sees them. Node checks its timeouts every `connectionsCheckingInterval`
    // (30 s unless set): at most a second here, so a timeout is kept to within a second.
    http: {
      maxHeaderSize: config.httpMaxHeaderBytes,
      headersTimeout: config.httpHeadersTimeoutSeconds * 1000,
      connectionsCheckingInterval: Math.min(1000, (config.httpHeadersTimeoutSeconds * 1000) / 2),
    },
    // Fastify's default (0) would switch Node's whole-request timeout off: a body trickled in a
    // byte at a time would hold its connection for ever.
    requestTimeout: config.httpRequestTimeoutSeconds * 1000,
    // A malformed URL gets Salon's error shape, not Fastify's own.
    frameworkErrors: frameworkErrorHandler,
    // A hop count as a function: Fastify reads X-Forwarded-For from the right, past that many.
    trustProxy:
      typeof config.trustProxy === 'number'
        ? (_address: string, hop: number) => hop < (config.trustProxy as number)
        : config.trustProxy,
  });
  await http.register(fastifyCookie);
  // The API speaks JSON only: a text/plain body is refused (415) rather than read as a string.
  http.removeContentTypeParser('text/plain');
  installUtf8JsonParser(http);
  installErrorHandler(http);
  const origins = originPolicy(config);
  checkOrigins(http, origins);
  // A cluster node without Redis answers 503 so that the balancer (and people) can see why.
  http.get('/healthz', (_req, reply) =>
    backend.health.healthy
      ? { status: 'ok' }
      : reply.status(503).send({ status: 'unavailable', problem: backend.health.problem }),
  );
  await import('./http/static-web.js').then((web) => web.registerStaticWeb(http));
  // Renames are announced by the chat domain, made below; a rename needs a request first.
  const renamed: { announce?: (userId: string) => Promise<void> } = {};
  authRoutes(http, {
    db,
    otp,
    sessions,
    publisher: broker,
    sessionTtlDays: config.sessionTtlDays,
    onRenamed: (userId) => renamed.announce?.(userId) ?? Promise.resolve(),
  });
  cableRoutes(http, { cable, sessions, tickets });
  const sendRate = new SendRate({
    perSecond: config.limitSendsPerSecond,
    burst: config.limitSendBurst,
  });
  const chat = createChat({
    db,
    jobs,
    cable,
    publisher: broker,
    sessions,
    http,
    log,
    messageStore,
    roomOrder,
    messageCommitIntervalMs: config.messageCommitIntervalMs,
    // The SQLite writer thread shares this process's cores: side by side only when there are
    // two (availableParallelism() follows the CPU affinity, e.g. taskset).
    overlapStoreAndAnnounce: database.kind === 'postgres' || availableParallelism() > 1,
    limits: new ActionLimits(limitStore, {
      groupsPerHour: config.limitGroupsPerHour,
      dmsPerHour: config.limitDmsPerHour,
      memberAddsPerHour: config.limitMemberAddsPerHour,
      httpSendsPerMinute: config.limitHttpSendsPerMinute,
    }),
    sendRate,
    presence,
  });
  renamed.announce = (userId) => chat.rooms.announceRenamed(userId);
  http.server.on('upgrade', (req, socket, head) => cable.handleUpgrade(req, socket, head));

  let closing: Promise<void> | undefined;
  return {
    config,
    http,
    db,
    database,
    jobs,
    sessions,
    cable,
    chat,
    log,
    backend,
    async listen() {
      await storeReady;
      await http.listen({ port: config.port, host: config.host });
      const address = http.server.address();
      return typeof address === 'object' && address ? address.port : config.port;
    },
    close() {
      closing ??= (async () => {
        // One budget for the clients, the requests under way and the queued work, in turn:
        // what one step took is not given again to the next. What follows the budget (the
        // last presence announcements, the bus, the database) has SHUTDOWN_AFTER_BUDGET_MS.
        const budgetEnds = Date.now() + config.shutdownTimeoutSeconds * 1000;
        const left = (): number => Math.max(0, budgetEnds - Date.now());
        // Clients first hear server_restart (and reconnect elsewhere or later), then HTTP stops.
        await cable.close();
        // Node's close() drops the keep-alive sockets idle at that moment only; sockets still
        // carrying a long poll's last answer go idle a moment later and would otherwise stay
        // open until the client's next request. Sweep them until the server has closed, and
        // cut what is still open when the budget ends (a slow upload may take a minute).
        const sweeper = setInterval(() => http.server.closeIdleConnections(), 50);
        const cutOff = setTimeout(() => http.server.closeAllConnections(), left());
        try {
          await http.close();
        } finally {
          clearInterval(sweeper);
          clearTimeout(cutOff);
        }
        const drained = await jobs.drain(left());
        if (!drained)
          log.warn({ pending: jobs.pending }, 'shutdown timeout: queued jobs abandoned');
        await chat.presence.close();
        sendRate.close();
        await broker.close();
        await roomOrder?.close();
        await database.close();
        await backend.close();
      })();
      return closing;
    },
  };
}

/**
 * How long the closing steps that follow the shutdown budget may take (presence's last
 * announcements, the bus, the database): the process exits by the budget plus this, whatever
 * hangs. The budget can also be overrun by the cable's cut-off of silent clients (2 s) when
 * it is shorter than that.
 */
export const SHUTDOWN_AFTER_BUDGET_MS = 5000;

function createSmsProvider(config: Config): SmsProvider {
  if (config.smsProvider === 'twilio') {
    // loadConfig has already refused a twilio provider without these three.
    return new TwilioSmsProvider({
      accountSid: config.twilioAccountSid ?? '',
      authToken: config.twilioAuthToken ?? '',
      from: config.twilioFrom ?? '',
      baseUrl: config.twilioBaseUrl,
    });
  }
  return new ConsoleSmsProvider();
}
