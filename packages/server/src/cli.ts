import { SETTINGS, flagName } from './config.js';
import { main } from './main.js';

/** `salon start [--flag value ...]` and `salon help`. */
const [command = 'start', ...rest] = process.argv.slice(2);

if (command === 'start') {
  await main(rest);
} else if (command === 'help' || command === '--help' || command === '-h') {
  const lines = Object.values(SETTINGS).map(
    (s) =>
      `  --${flagName(s.env).padEnd(28)} ${s.env}${'default' in s ? ` (default ${s.default})` : ''}\n      ${s.doc}`,
  );
  process.stdout.write(
    `Usage: salon start [--flag value ...]\n\nEvery flag has an environment variable:\n${lines.join('\n')}\n`,
  );
} else {
  process.stderr.write(`salon: unknown command "${command}". Try "salon help".\n`);
  process.exit(2);
}
