import { pino, type Logger } from 'pino';

/**
 * Structured JSON logs. Secrets are redacted by path wherever they could appear (subscription
 * secrets, the admin token in request headers, credentials in URLs are stripped before logging).
 */
export const REDACT_PATHS = [
  'secret',
  '*.secret',
  'secrets',
  '*.secrets',
  'previousSecret',
  '*.previousSecret',
  'adminToken',
  '*.adminToken',
  'authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers["webhook-signature"]',
  '*.headers["webhook-signature"]',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'fedreg-watch' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}

export type { Logger };
