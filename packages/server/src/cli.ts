import { SETTINGS, flagName } from './config.js';

/** `salon start [--flag value ...]`, `salon db migrate|copy …` and `salon help`. */
const [command = 'start', ...rest] = process.argv.slice(2);

if (command === 'start') {
  // Imported on use: `salon db` starts without loading the server.
  const { main } = await import('./main.js');
  await main(rest);
} else if (command === 'db') {
  const { dbCommand } = await import('./db/db-command.js');
  process.exitCode = await dbCommand(rest);
} else if (command === 'help' || command === '--help' || command === '-h') {
  const lines = Object.values(SETTINGS).map(
    (s) =>
      `  --${flagName(s.env).padEnd(28)} ${s.env}${'default' in s ? ` (default ${s.default})` : ''}\n      ${s.doc}`,
  );
  process.stdout.write(
    `Usage: salon start [--flag value ...]\n       salon db migrate [--flag value ...]\n       salon db copy --from sqlite:<file> --to postgres://user:pass@host:port/db\n\nEvery flag has an environment variable:\n${lines.join('\n')}\n`,
  );
} else {
  process.stderr.write(`salon: unknown command "${command}". Try "salon help".\n`);
  process.exit(2);
}
