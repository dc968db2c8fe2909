import { pino, type Logger } from 'pino';

/** Paths whose values are credentials; pino replaces them before a line is written. */
export const redactedPaths = [
  'password',
  '*.password',
  'secret',
  '*.secret',
  'access_secret',
  '*.access_secret',
  'webhook_secret',
  '*.webhook_secret',
  'token',
  '*.token',
  'credential',
  '*.credential',
  'authorization',
  '*.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
];

export interface LoggerOptions {
  level: string;
  pretty?: boolean;
}

/** The one root logger of a process; everything else gets children of it. */
export function createLogger(options: LoggerOptions, destination?: pino.DestinationStream): Logger {
  const base = { level: options.level, redact: { paths: redactedPaths, censor: '*****' } };
  if (destination) return pino(base, destination);
  if (options.pretty) {
    return pino({
      ...base,
      transport: {
        target: 'pino-pretty',
        options: { translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' },
      },
    });
  }
  return pino(base);
}
