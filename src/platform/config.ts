// Configuration is the validated environment, declared once: `EnvSchema` (TypeBox) names every
// variable with its type, bounds, default and description; `loadConfig` reads the environment
// against it. A wrong value stops start-up with one sentence naming the variable (ConfigError);
// .env.example lists every variable of the schema (a test holds them equal). Two process-level reads
// stay outside it: NODE_ENV (the logger's pretty printing) and MIGRATIONS_DIR (src/platform/paths.ts,
// set by the image).

import Type, { type Static, type TSchema } from 'typebox';
import { parseAllowedHosts } from '../webhooks/addresses.js';
import { parseRetryDelays } from '../webhooks/delivery.js';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const DURATION = '^\\d+(ms|s|m|h|d)$';

const int = (def: number, minimum: number, maximum: number, description: string) =>
  Type.Integer({ default: def, minimum, maximum, description });
const duration = (def: string, description: string) => Type.String({ default: def, pattern: DURATION, description });
const flag = (def: boolean, description: string) => Type.Boolean({ default: def, description });
/** A string variable; `error` is the sentence said when it does not match `pattern`. */
const text = (description: string, opts: { default?: string; pattern?: string; error?: string } = {}) =>
  Type.String({
    description,
    ...(opts.default !== undefined ? { default: opts.default } : {}),
    ...(opts.pattern ? { pattern: opts.pattern } : {}),
    ...(opts.error ? { 'x-error': opts.error } : {}),
  });

export const EnvSchema = Type.Object({
  HOST: text('where the HTTP server listens (the image sets 0.0.0.0)', { default: '127.0.0.1' }),
  PORT: int(8080, 0, 65535, 'HTTP port'),
  GRPC_PORT: int(9090, 0, 65535, 'gRPC port (HTTP/2 cleartext, same HOST); 0 turns gRPC off'),
  METRICS_PORT: int(9464, 0, 65535, 'Prometheus metrics at GET /metrics (same HOST, never the API port); 0 turns metrics off'),
  DATABASE_URL: Type.Optional(
    text('an external PostgreSQL; unset: an embedded one', {
      pattern: '^postgres(ql)?://',
      error: 'must be a postgres:// or postgresql:// URL',
    }),
  ),
  DATABASE_SESSION_URL: Type.Optional(
    text(
      'with DATABASE_URL: a connection with session semantics (direct, or a session-mode pool) for LISTEN and migrations; unset: DATABASE_URL',
      {
        pattern: '^postgres(ql)?://',
        error: 'must be a postgres:// or postgresql:// URL',
      },
    ),
  ),
  DATABASE_READ_URL: Type.Optional(
    text('with DATABASE_URL: a streaming replica (a synchronous standby) serving account reads, lists and statements; unset: the primary', {
      pattern: '^postgres(ql)?://',
      error: 'must be a postgres:// or postgresql:// URL',
    }),
  ),
  MIGRATE_ON_START: flag(false, 'with DATABASE_URL, migrate at start (else the deploy migrates)'),
  DB_POOL_SIZE: int(10, 1, 500, 'pooled connections'),
  MONEY_BATCH_MAX_ITEMS: int(64, 1, 1000, 'group commit: most movements per ledger call'),
  MONEY_BATCH_IN_FLIGHT: int(2, 1, 100, 'group commit: most ledger calls in flight'),
  DATA_DIR: text('embedded mode: the Postgres data, its password and the token key', { default: '.data' }),
  EMBEDDED_PG_PORT: int(54329, 1, 65535, 'embedded mode: the Postgres port'),
  TOKEN_SECRET_KEY: Type.Optional(
    text('PASERK k4.secret key signing the tokens', {
      pattern: '^k4\\.secret\\.',
      error: 'must be a PASERK k4.secret key (k4.secret.…): make one with `npm run cli -- new-token-key`',
    }),
  ),
  TOKEN_PREVIOUS_PUBLIC_KEYS: text(
    'comma-separated PASERK k4.public keys whose tokens are still accepted (never used to sign): the overlap window of a TOKEN_SECRET_KEY rotation',
    {
      default: '',
      pattern: '^(k4\\.public\\.[A-Za-z0-9_-]+(,\\s*k4\\.public\\.[A-Za-z0-9_-]+)*)?$',
      error: 'must be comma-separated PASERK k4.public keys (npm run cli -- token-public-key prints one)',
    },
  ),
  ACCESS_TOKEN_DURATION: duration('15m', 'access token lifetime'),
  REFRESH_TOKEN_DURATION: duration('24h', 'refresh token (session) lifetime'),
  LOGIN_RATE_LIMIT_PER_USERNAME: int(10, 1, 1_000_000, 'login attempts per window per username'),
  LOGIN_RATE_LIMIT_PER_IP: int(100, 1, 1_000_000, 'login attempts per window per client IP'),
  LOGIN_RATE_LIMIT_WINDOW: duration('1m', 'login limit window'),
  SIGNUP_RATE_LIMIT_PER_IP: int(20, 1, 1_000_000, 'sign-ups per window per client IP'),
  SIGNUP_RATE_LIMIT_WINDOW: duration('10m', 'sign-up limit window'),
  ARGON2_MEMORY_KIB: int(65536, 1024, 4_194_304, 'argon2id memory cost'),
  ARGON2_TIME_COST: int(3, 1, 100, 'argon2id time cost'),
  ARGON2_PARALLELISM: int(4, 1, 64, 'argon2id parallelism'),
  ARGON2_MAX_CONCURRENT: int(2, 1, 64, 'password hashes computed at once'),
  ARGON2_MAX_QUEUE: int(32, 0, 10_000, 'password hashes that may wait'),
  LOG_LEVEL: Type.Enum(LOG_LEVELS, { default: 'info', description: 'pino level' }),
  IDEMPOTENCY_KEY_TTL: duration('24h', 'how long an Idempotency-Key is kept (at least 24h)'),
  EVENT_RETENTION: duration('30d', 'how long events are kept for the feed (GET /events, ListEvents, WatchEvents), at least 1h'),
  WEBHOOK_ALLOWED_HOSTS: text(
    'webhook hosts allowed besides public https addresses (e.g. 127.0.0.1,localhost in development), comma-separated',
    { default: '' },
  ),
  SMTP_URL: Type.Optional(
    text('where verification emails are sent (e.g. smtp://127.0.0.1:1025, smtps://user:pass@host:465); unset: no email is sent', {
      pattern: '^smtps?://',
      error: 'must be an smtp:// or smtps:// URL',
    }),
  ),
  MAIL_FROM: text('the From of verification emails', { default: 'simple bank <no-reply@simple-bank.invalid>' }),
  PUBLIC_URL: Type.Optional(
    text('where users reach the HTTP API: the base of the verification link (default http://HOST:PORT, 127.0.0.1 for 0.0.0.0)', {
      pattern: '^https?://',
      error: 'must be an http:// or https:// URL',
    }),
  ),
  WEBHOOK_RETRY_DELAYS: text('the waits before each retry of a webhook delivery that failed, comma-separated durations', {
    default: '5s,30s,2m,10m,1h,6h,12h,24h',
  }),
  CORS_ORIGINS: text('browser origins allowed to call the API, comma-separated', { default: '' }),
  BODY_LIMIT_BYTES: int(64 * 1024, 1024, 10 * 1024 * 1024, 'largest accepted request body'),
  REQUEST_TIMEOUT: duration(
    '30s',
    "how long a request's headers and body may take to arrive, on both listeners (then 408 / the stream is reset)",
  ),
  IDLE_TIMEOUT: duration('60s', 'how long a connection with no request in flight is kept open, on both listeners'),
  MAX_CONNECTIONS: int(10_000, 1, 1_000_000, 'most open connections per listener; more are refused'),
  GRPC_MAX_CONCURRENT_STREAMS: int(100, 1, 10_000, 'most concurrent gRPC streams per HTTP/2 connection'),
  MAX_CONNECTIONS_PER_CLIENT: int(256, 0, 1_000_000, 'most open connections per client address, per listener; 0: no bound'),
  REQUEST_BUFFER_BYTES: int(
    64 * 1024 * 1024,
    1024 * 1024,
    4 * 1024 * 1024 * 1024,
    'request bytes the process may hold at once over both listeners (bodies still arriving); past it, 503',
  ),
  REQUEST_BUFFER_PER_CLIENT_BYTES: int(
    16 * 1024 * 1024,
    64 * 1024,
    4 * 1024 * 1024 * 1024,
    'the share of REQUEST_BUFFER_BYTES one client address may hold',
  ),
  GRPC_MAX_STREAMS: int(2_000, 1, 1_000_000, 'most gRPC streams open at once over every connection; more are refused (REFUSED_STREAM)'),
  GRPC_MAX_WATCH_STREAMS: int(1_000, 1, 1_000_000, 'most Health/Watch streams open at once; more are RESOURCE_EXHAUSTED'),
  GRPC_WATCH_LIFETIME: duration('30m', 'how long a Health/Watch stream lasts before it ends (the client watches again)'),
  TRUST_PROXY_HOPS: int(0, 0, 10, 'X-Forwarded-For hops to trust'),
  HEAP_GROWING_PERCENT: int(
    50,
    0,
    400,
    'after each full GC the V8 heap may grow by this % of the live data (a bounded footprint, not a cap); 0: V8 decides (up to 4× under load)',
  ),
});
export type EnvVars = Static<typeof EnvSchema>;

interface VarSchema {
  type?: string;
  enum?: readonly string[];
  minimum?: number;
  maximum?: number;
  pattern?: string;
  default?: unknown;
  'x-error'?: string;
}

/** One variable: its raw text (empty = unset) → the schema's value, or the sentence that refuses it. */
function readVar(name: string, schema: VarSchema, raw: string | undefined): unknown {
  if (raw === undefined || raw === '') return schema.default;
  if (schema.type === 'integer') {
    if (!/^\d+$/.test(raw) || Number(raw) < schema.minimum! || Number(raw) > schema.maximum!) {
      throw new ConfigError(`${name} must be a whole number from ${schema.minimum} to ${schema.maximum}, got "${raw}".`);
    }
    return Number(raw);
  }
  if (schema.type === 'boolean') {
    const v = raw.toLowerCase();
    if (['1', 'true', 'yes'].includes(v)) return true;
    if (['0', 'false', 'no'].includes(v)) return false;
    throw new ConfigError(`${name} must be true or false, got "${raw}".`);
  }
  if (schema.enum) {
    if (!schema.enum.includes(raw)) throw new ConfigError(`${name} must be one of ${schema.enum.join(', ')}, got "${raw}".`);
    return raw;
  }
  if (schema.pattern === DURATION) return raw.trim();
  if (schema.pattern && !new RegExp(schema.pattern).test(raw))
    throw new ConfigError(`${name} ${schema['x-error'] ?? `must match ${schema.pattern}`}.`);
  return raw;
}

/** The environment read against EnvSchema: every variable present, defaults filled in. */
export function readEnv(env: Env = process.env): EnvVars {
  const out: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(EnvSchema.properties as Record<string, TSchema>)) {
    out[name] = readVar(name, schema as VarSchema, env[name]);
  }
  return out as EnvVars;
}

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** "15m", "24h", "90s", "7d", "500ms" → milliseconds. */
export function parseDuration(name: string, raw: string): number {
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(raw.trim());
  if (!m || Number(m[1]) <= 0) {
    throw new ConfigError(`${name} must be a duration such as 15m, 24h or 90s, got "${raw}".`);
  }
  return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
}

export function loadConfig(environment: Env = process.env) {
  const env = readEnv(environment);
  if (env.TOKEN_SECRET_KEY === undefined && env.DATABASE_URL !== undefined) {
    throw new ConfigError('TOKEN_SECRET_KEY is required when DATABASE_URL is set (generate one with `npm run cli -- new-token-key`).');
  }
  const accessTokenMs = parseDuration('ACCESS_TOKEN_DURATION', env.ACCESS_TOKEN_DURATION);
  const refreshTokenMs = parseDuration('REFRESH_TOKEN_DURATION', env.REFRESH_TOKEN_DURATION);
  if (env.DATABASE_URL === undefined && (env.DATABASE_SESSION_URL !== undefined || env.DATABASE_READ_URL !== undefined)) {
    throw new ConfigError('DATABASE_SESSION_URL and DATABASE_READ_URL need DATABASE_URL (the primary, or its pooler) to be set too.');
  }
  if (refreshTokenMs <= accessTokenMs) {
    throw new ConfigError('REFRESH_TOKEN_DURATION must be longer than ACCESS_TOKEN_DURATION.');
  }
  const idempotencyKeyTtlMs = parseDuration('IDEMPOTENCY_KEY_TTL', env.IDEMPOTENCY_KEY_TTL);
  if (idempotencyKeyTtlMs < 86_400_000) throw new ConfigError('IDEMPOTENCY_KEY_TTL must be at least 24h.');
  const eventRetentionMs = parseDuration('EVENT_RETENTION', env.EVENT_RETENTION);
  const webhookRetryDelaysMs = parseRetryDelays(env.WEBHOOK_RETRY_DELAYS, parseDuration);
  if (eventRetentionMs < 3_600_000) throw new ConfigError('EVENT_RETENTION must be at least 1h.');
  const corsOrigins = env.CORS_ORIGINS.split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  for (const o of corsOrigins) {
    if (!/^https?:\/\/[^/\s]+$/.test(o)) {
      throw new ConfigError(`CORS_ORIGINS must be a comma-separated list of origins such as https://app.example.com, got "${o}".`);
    }
  }
  return {
    host: env.HOST,
    /** Browser origins allowed to call the API (CORS); none by default. */
    corsOrigins,
    /** Behind a load balancer: trust its X-Forwarded-For for this many hops (client IPs for rate limits). */
    trustProxy: env.TRUST_PROXY_HOPS,
    /** Largest accepted request body, in bytes. */
    bodyLimit: env.BODY_LIMIT_BYTES,
    /** Bounds of both listeners: a request's arrival, an idle connection, open connections, HTTP/2 streams. */
    listener: {
      requestTimeoutMs: parseDuration('REQUEST_TIMEOUT', env.REQUEST_TIMEOUT),
      idleTimeoutMs: parseDuration('IDLE_TIMEOUT', env.IDLE_TIMEOUT),
      maxConnections: env.MAX_CONNECTIONS,
      maxConcurrentStreams: env.GRPC_MAX_CONCURRENT_STREAMS,
      maxConnectionsPerClient: env.MAX_CONNECTIONS_PER_CLIENT,
      maxStreams: env.GRPC_MAX_STREAMS,
    },
    /** Request bytes held at once (both listeners), and one client address's share of them. */
    requestBuffer: { totalBytes: env.REQUEST_BUFFER_BYTES, perClientBytes: env.REQUEST_BUFFER_PER_CLIENT_BYTES },
    /** Health/Watch streams open at once, and a stream's lifetime. */
    watch: { maxStreams: env.GRPC_MAX_WATCH_STREAMS, lifetimeMs: parseDuration('GRPC_WATCH_LIFETIME', env.GRPC_WATCH_LIFETIME) },
    port: env.PORT,
    /** 0: no gRPC server. */
    grpcPort: env.GRPC_PORT,
    /** 0: no metrics at all (nothing recorded). */
    metricsPort: env.METRICS_PORT,
    databaseUrl: env.DATABASE_URL,
    /** LISTEN and migrations need a session: a direct connection or a session-mode pool. */
    databaseSessionUrl: env.DATABASE_SESSION_URL ?? env.DATABASE_URL,
    /** A replica for account reads, lists and statements; writes then wait for it to apply them. */
    databaseReadUrl: env.DATABASE_READ_URL,
    dataDir: env.DATA_DIR,
    embeddedPgPort: env.EMBEDDED_PG_PORT,
    /** With DATABASE_URL set, migrations are the deploy's job unless this asks for them at start. */
    migrateOnStart: env.MIGRATE_ON_START,
    dbPoolSize: env.DB_POOL_SIZE,
    /** Group commit: most movements per ledger call, and most calls in flight (one connection each). */
    moneyBatch: { maxBatch: env.MONEY_BATCH_MAX_ITEMS, maxInFlight: env.MONEY_BATCH_IN_FLIGHT },
    tokenSecretKey: env.TOKEN_SECRET_KEY,
    /** Public keys of earlier TOKEN_SECRET_KEYs: their tokens stay valid until they expire or the key leaves this list. */
    tokenPreviousPublicKeys: env.TOKEN_PREVIOUS_PUBLIC_KEYS.split(',')
      .map((k) => k.trim())
      .filter(Boolean),
    accessTokenMs,
    refreshTokenMs,
    logLevel: env.LOG_LEVEL,
    /** V8's heap growth past the live data after a full GC, in % (src/platform/heap.ts); 0: V8's own. */
    heapGrowingPercent: env.HEAP_GROWING_PERCENT,
    /** How long an Idempotency-Key is kept (the contract promises at least 24 h). */
    idempotencyKeyTtlMs,
    /** How long events are kept (EVENT_RETENTION): older ones go in the cleanup job. */
    eventRetentionMs,
    webhooks: { allowedHosts: parseAllowedHosts(env.WEBHOOK_ALLOWED_HOSTS), retryDelaysMs: webhookRetryDelaysMs },
    /** Verification emails: unset smtpUrl, none is sent. */
    mail: {
      smtpUrl: env.SMTP_URL,
      from: env.MAIL_FROM,
      publicUrl: (env.PUBLIC_URL ?? `http://${env.HOST === '0.0.0.0' ? '127.0.0.1' : env.HOST}:${env.PORT}`).replace(/\/+$/, ''),
    },
    /** argon2id costs; production defaults unless lowered (tests only) through these variables. */
    argon2: { memoryCost: env.ARGON2_MEMORY_KIB, timeCost: env.ARGON2_TIME_COST, parallelism: env.ARGON2_PARALLELISM },
    /** Password hashes computed at once (each takes ARGON2_MEMORY_KIB), and how many may wait. */
    hashing: { maxConcurrent: env.ARGON2_MAX_CONCURRENT, maxQueued: env.ARGON2_MAX_QUEUE },
    loginRateLimit: {
      perUsername: env.LOGIN_RATE_LIMIT_PER_USERNAME,
      perIp: env.LOGIN_RATE_LIMIT_PER_IP,
      windowMs: parseDuration('LOGIN_RATE_LIMIT_WINDOW', env.LOGIN_RATE_LIMIT_WINDOW),
    },
    signupRateLimit: {
      perIp: env.SIGNUP_RATE_LIMIT_PER_IP,
      windowMs: parseDuration('SIGNUP_RATE_LIMIT_WINDOW', env.SIGNUP_RATE_LIMIT_WINDOW),
    },
  };
}

export type Config = ReturnType<typeof loadConfig>;
