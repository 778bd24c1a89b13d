/**
 * The settings every benchmark's in-process Salon starts with: port 0 on loopback, a fresh data
 * directory, quiet logs, and the per-address gates open (a generator connects all its clients
 * from loopback addresses at once, which those gates exist to refuse). `extra` adds to them.
 */
export function benchSalonSettings(
  dataDir: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    PORT: '0',
    HOST: '127.0.0.1',
    SALON_DATA_DIR: dataDir,
    SALON_LOG_LEVEL: 'warn',
    SALON_CABLE_MAX_CONNECTIONS_PER_IP: '1000000',
    SALON_CABLE_CONNECTS_PER_IP_PER_SECOND: '1000000',
    ...extra,
  };
}
