/**
 * A bad setting: names the variable (or flag) and says what is wrong with it. In a file of its
 * own so that what only needs the error (the writer thread's database opening) does not load the
 * whole configuration table.
 */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}
