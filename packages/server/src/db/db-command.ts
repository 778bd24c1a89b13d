import pino from 'pino';
import { ConfigError, loadConfig } from '../config.js';
import { openBackend } from './database-backend.js';
import { migrate } from './database.js';
import { CopyError, copyDatabase, type CopyProgress } from './database-copy.js';

const USAGE =
  'Usage: salon db migrate [--database-url URL]\n' +
  '       salon db copy --from sqlite:<file> --to postgres://user:pass@host:port/db\n';

/**
 * `salon db …`: operators' database commands. Returns the exit status: 0 done, 1 refused or
 * failed (one line on stderr says why), 2 bad usage.
 */
export async function dbCommand(argv: readonly string[]): Promise<number> {
  const [sub, ...rest] = argv;
  try {
    if (sub === 'migrate') return await migrateCommand(rest);
    if (sub === 'copy') return await copyCommand(rest);
  } catch (err) {
    if (err instanceof ConfigError) return fail(`invalid configuration: ${err.message}`, 2);
    if (err instanceof CopyError) return fail(err.message, 1);
    const cause =
      err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
    return fail(`${err instanceof Error ? err.message : String(err)}${cause}`, 1);
  }
  process.stderr.write(USAGE);
  return 2;
}

/** Applies pending migrations to the configured database (SALON_DATABASE_URL or the flag). */
async function migrateCommand(argv: readonly string[]): Promise<number> {
  const config = loadConfig(process.env, argv);
  const backend = await openBackend({
    url: config.databaseUrl,
    poolSize: 1,
    messageWriter: 'main',
    log: pino({ level: 'silent' }),
    migrate: false,
  });
  try {
    const applied = await migrate(backend.db);
    process.stdout.write(
      applied.length === 0
        ? 'The database is up to date.\n'
        : `Applied ${String(applied.length)} migration(s): ${applied.join(', ')}.\n`,
    );
    return 0;
  } finally {
    await backend.close();
  }
}

async function copyCommand(argv: readonly string[]): Promise<number> {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const m = /^--(from|to)(?:=(.*))?$/.exec(argv[i] ?? '');
    const value = m?.[2] ?? argv[i + 1];
    if (!m?.[1] || value === undefined) {
      process.stderr.write(
        `salon db copy: unexpected argument ${JSON.stringify(argv[i])}\n${USAGE}`,
      );
      return 2;
    }
    if (m[2] === undefined) i++;
    flags.set(m[1], value);
  }
  const from = flags.get('from');
  const to = flags.get('to');
  if (from === undefined || to === undefined) {
    process.stderr.write(`salon db copy: --from and --to are both required\n${USAGE}`);
    return 2;
  }
  const started = Date.now();
  const report = await copyDatabase(from, to, progressLine());
  const total = Object.values(report.rows).reduce((a, b) => a + b, 0);
  process.stderr.write(
    `Copied ${String(total)} rows (${Object.entries(report.rows)
      .map(([t, n]) => `${t} ${String(n)}`)
      .join(', ')}) in ${((Date.now() - started) / 1000).toFixed(1)} s; ` +
      `row counts and the last seq of ${String(report.rooms)} rooms verified.\n`,
  );
  return 0;
}

/** One line per table, rewritten in place on a terminal, at most every 200 ms. */
function progressLine(): (p: CopyProgress) => void {
  const tty = process.stderr.isTTY;
  let last = 0;
  return (p) => {
    const done = p.copied === p.total;
    const now = Date.now();
    if (!done && now - last < 200) return;
    last = now;
    const line = `copying ${p.table}: ${String(p.copied)}/${String(p.total)} rows`;
    if (tty) process.stderr.write(`\r${line}\x1b[K${done ? '\n' : ''}`);
    else if (done) process.stderr.write(`${line}\n`);
  };
}

function fail(message: string, status: number): number {
  process.stderr.write(`salon db: ${message}\n`);
  return status;
}
