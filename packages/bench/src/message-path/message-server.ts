import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createSalon, loadConfig } from '@salon/server';
import pg from 'pg';
import { isMessage } from '../ipc.js';
import { WindowProfiler } from '../window-profiler.js';
import type { MpServerCommand, MpServerEvent, SenderAccount } from './messages-ipc.js';

/**
 * The server side of the message-path benchmark: a real Salon (SQLite at synchronous=FULL, the
 * writer chosen by SALON_MESSAGE_WRITER; or, with BENCH_DATABASE=postgres, a fresh database on
 * the PostgreSQL at BENCH_PG_URL with its default settings, synchronous_commit on) with one room
 * per sender, so that each message is persisted and then broadcast to exactly its sender, whose
 * copy is the acknowledgement.
 */
const send = (event: MpServerEvent): void => {
  process.send?.(event);
};

// BENCH_DATA_DIR / BENCH_PG_DATABASE: start on the data an earlier server made (and leave it),
// so that a restart is measured as a restart: nothing of this process warm but what start-up does.
const keptDataDir = process.env.BENCH_DATA_DIR;
const dataDir = keptDataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'salon-bench-msg-'));
const pgAdminUrl = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const keptPgDatabase = process.env.BENCH_PG_DATABASE;
const pgDatabase =
  process.env.BENCH_DATABASE === 'postgres'
    ? (keptPgDatabase ?? `salon_bench_${String(process.pid)}`)
    : undefined;

/** One statement on the PostgreSQL admin database. */
async function pgAdmin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: pgAdminUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

let databaseUrl: string | undefined;
if (pgDatabase !== undefined) {
  if (keptPgDatabase === undefined) await pgAdmin(`CREATE DATABASE ${pgDatabase}`);
  const url = new URL(pgAdminUrl);
  url.pathname = `/${pgDatabase}`;
  databaseUrl = url.toString();
}
const salon = await createSalon(
  loadConfig({
    ...process.env,
    ...(databaseUrl === undefined ? {} : { SALON_DATABASE_URL: databaseUrl }),
    PORT: '0',
    HOST: '127.0.0.1',
    SALON_DATA_DIR: dataDir,
    SALON_LOG_LEVEL: 'warn',
    SALON_CABLE_COMMANDS_PER_SECOND: '100000',
    SALON_CABLE_COMMAND_BURST: '100000',
    // 100 senders share up to 30,000 msg/s: the per-person send rate is not what is measured.
    SALON_LIMIT_SENDS_PER_SECOND: '100000',
    SALON_LIMIT_SEND_BURST: '100000',
    SALON_CABLE_MAX_CONNECTIONS_PER_IP: '1000000',
    SALON_CABLE_CONNECTS_PER_IP_PER_SECOND: '1000000',
  }),
);
const histogram = monitorEventLoopDelay({ resolution: 1 });
const profiler = WindowProfiler.fromEnv();

async function setup(senders: number): Promise<SenderAccount[]> {
  const accounts: SenderAccount[] = [];
  for (let i = 0; i < senders; i++) {
    const phone = `+1415${String(3_000_000 + i).padStart(7, '0')}`;
    const { token, user } = await salon.sessions.signIn(phone, 'bench');
    const room = await salon.chat.rooms.createGroup(user.id, `bench ${String(i)}`, []);
    accounts.push({ token, room_id: room.id });
  }
  return accounts;
}

async function storedCount(): Promise<number> {
  const row = await salon.db
    .selectFrom('messages')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return row.n;
}

process.on('message', (raw: unknown) => {
  if (!isMessage(raw)) return;
  const command = raw as MpServerCommand;
  const run = async (): Promise<void> => {
    switch (command.type) {
      case 'start': {
        const accounts = await setup(command.senders);
        const port = await salon.listen();
        send({ type: 'ready', url: `ws://127.0.0.1:${String(port)}/cable`, accounts });
        return;
      }
      case 'listen': {
        const port = await salon.listen();
        send({ type: 'ready', url: `ws://127.0.0.1:${String(port)}/cable`, accounts: [] });
        return;
      }
      case 'window-start':
        send({ type: 'window-started', stored: await storedCount() });
        histogram.reset();
        histogram.enable();
        await profiler?.start();
        return;
      case 'window-end': {
        histogram.disable();
        await profiler?.stop();
        const stored = await storedCount();
        send({
          type: 'window',
          loop_p50_ms: histogram.percentile(50) / 1e6,
          loop_p99_ms: histogram.percentile(99) / 1e6,
          loop_max_ms: histogram.max / 1e6,
          stored,
        });
        return;
      }
    }
  };
  run().catch((err: unknown) => send({ type: 'failed', message: String(err) }));
});

process.on('disconnect', () => {
  void salon
    .close()
    .then(() =>
      pgDatabase === undefined || keptPgDatabase !== undefined
        ? undefined
        : pgAdmin(`DROP DATABASE ${pgDatabase}`),
    )
    .finally(() => {
      if (keptDataDir === undefined) fs.rmSync(dataDir, { recursive: true, force: true });
      process.exit(0);
    });
});
