import { createRequire } from 'node:module';
import pino, { type Logger } from 'pino';

/** Whether a module can be loaded here (pino-pretty is a dev dependency: absent in production). */
function installed(name: string): boolean {
  try {
    createRequire(import.meta.url).resolve(name);
    return true;
  } catch {
    return false;
  }
}

/**
 * One pino logger: JSON, request id on every line, secrets redacted; pretty only on a terminal, and
 * only where pino-pretty is installed (with production dependencies it is not: plain JSON then).
 */
export function createLogger(level: string, destination?: pino.DestinationStream, prettyModule = 'pino-pretty'): Logger {
  const pretty = !destination && process.stdout.isTTY && process.env.NODE_ENV !== 'production' && installed(prettyModule);
  return pino(
    {
      level,
      base: { service: 'simple-bank' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: [
          'req.headers.authorization',
          'headers.authorization',
          '*.password',
          '*.access_token',
          '*.refresh_token',
          '*.hashed_password',
          'password',
          'access_token',
          'refresh_token',
        ],
        censor: '[redacted]',
      },
      ...(pretty ? { transport: { target: prettyModule, options: { translateTime: 'SYS:HH:MM:ss.l' } } } : {}),
    },
    destination,
  );
}
