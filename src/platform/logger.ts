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

const ROW_DATA = ['detail', 'where', 'internalQuery', 'hint', 'parameters'] as const;

export function serializeError(err: unknown): Record<string, unknown> {
  const out = pino.stdSerializers.err(err as Error) as unknown as Record<string, unknown>;
  for (const k of ROW_DATA) delete out[k];
  return out;
}

/**
 * Where the lines go by default: stdout, buffered. A synchronous write per line cost the event loop
 * ≈ 5 % of its busy time under load (bench/results/latest.md, "writeString"); lines are written once
 * 4 KiB have gathered or 100 ms have passed, and flushed when the process exits (pino's exit hook).
 * A SIGKILL loses at most that much; a stdout that stops reading drops lines past 16 MiB instead of
 * blocking the service.
 */
export function stdoutDestination(): pino.DestinationStream {
  return pino.destination({ dest: 1, sync: false, minLength: 4096, periodicFlush: 100, maxLength: 16 * 2 ** 20 });
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
      // A Postgres error's `detail` and `where` carry row data ("Failing row contains (…)", a key's
      // values, a stored answer with balances): never logged. Its code, constraint and message are.
      serializers: { err: serializeError },
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
    pretty ? undefined : (destination ?? stdoutDestination()),
  );
}
