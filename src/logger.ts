import pino, { type Logger } from 'pino';

/** One pino logger: JSON, request id on every line, secrets redacted; pretty only on a terminal. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const pretty = !destination && process.stdout.isTTY && process.env.NODE_ENV !== 'production';
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
      ...(pretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l' } } } : {}),
    },
    destination,
  );
}
