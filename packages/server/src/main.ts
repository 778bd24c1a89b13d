import { createSalon, SHUTDOWN_AFTER_BUDGET_MS } from './app.js';
import { loadConfig, ConfigError } from './config.js';

/**
 * The one entry point that listens: reads the configuration, starts Salon, and closes it
 * cleanly on SIGTERM/SIGINT (stop accepting, finish queued work, exit within the timeout).
 */
export async function main(argv: readonly string[]): Promise<void> {
  let config;
  let salon;
  try {
    config = loadConfig(process.env, argv);
    // Starting may find a bad setting too (a secret file too short to sign with).
    salon = await createSalon(config);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`salon: invalid configuration: ${err.message}\n`);
      process.exit(2);
    }
    // A database that cannot be reached or migrated: one line, not a stack trace.
    process.stderr.write(
      `salon: could not start: ${err instanceof Error ? err.message : String(err)}\n`,
    );
    process.exit(1);
  }
  const port = await salon.listen();
  salon.log.info(
    `Salon is listening on http://${config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host}:${port}`,
  );

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    salon.log.info({ signal }, 'shutting down');
    // A hard deadline past the shutdown budget and the closing steps after it, whatever hangs.
    const deadline = setTimeout(
      () => {
        salon.log.error('shutdown took too long; exiting');
        process.exit(1);
      },
      config.shutdownTimeoutSeconds * 1000 + SHUTDOWN_AFTER_BUDGET_MS,
    );
    deadline.unref();
    salon.close().then(
      () => process.exit(0),
      (err: unknown) => {
        salon.log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
