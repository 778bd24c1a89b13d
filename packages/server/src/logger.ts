import pino, { type Logger } from 'pino';

/** pino, pretty on a terminal, JSON lines otherwise. Credentials are never logged. */
export function createLogger(level: string): Logger {
  const pretty = process.stdout.isTTY && process.env.NODE_ENV !== 'production';
  return pino({
    level,
    redact: ['req.headers.authorization', 'req.headers.cookie', 'token', 'code'],
    ...(pretty
      ? { transport: { target: 'pino-pretty', options: { translateTime: 'HH:MM:ss' } } }
      : {}),
  });
}

/**
 * How a request appears in the logs: its method and path, and `?…` where a query string was.
 * Query strings carry credentials (`/cable?ticket=`), and logs are kept and shipped elsewhere.
 */
export function requestLogSerializer(req: {
  method?: string;
  url?: string;
  ip?: string;
  socket?: { remotePort?: number } | null;
}): Record<string, unknown> {
  const url = req.url ?? '';
  const q = url.indexOf('?');
  return {
    method: req.method,
    url: q < 0 ? url : `${url.slice(0, q)}?…`,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  };
}
