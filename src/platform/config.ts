// Configuration is the validated environment. A wrong value stops start-up with one sentence
// naming the variable (ConfigError); every variable is listed in .env.example.

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

function str(env: Env, name: string, fallback: string): string {
  const v = env[name];
  return v === undefined || v === '' ? fallback : v;
}

function optional(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v === '' ? undefined : v;
}

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = optional(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got "${raw}".`);
  }
  return Number(raw);
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = optional(env, name);
  if (raw === undefined) return fallback;
  if (['1', 'true', 'yes'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no'].includes(raw.toLowerCase())) return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}".`);
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

export function loadConfig(env: Env = process.env) {
  const databaseUrl = optional(env, 'DATABASE_URL');
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL must be a postgres:// or postgresql:// URL.');
  }
  const logLevel = str(env, 'LOG_LEVEL', 'info');
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}".`);
  }
  const tokenSecretKey = optional(env, 'TOKEN_SECRET_KEY');
  if (tokenSecretKey !== undefined && !tokenSecretKey.startsWith('k4.secret.')) {
    throw new ConfigError('TOKEN_SECRET_KEY must be a PASERK k4.secret key (k4.secret.…).');
  }
  if (tokenSecretKey === undefined && databaseUrl !== undefined) {
    throw new ConfigError(
      'TOKEN_SECRET_KEY is required when DATABASE_URL is set (generate one with `npm run cli -- new-token-key`).',
    );
  }
  const accessTokenMs = parseDuration('ACCESS_TOKEN_DURATION', str(env, 'ACCESS_TOKEN_DURATION', '15m'));
  const refreshTokenMs = parseDuration('REFRESH_TOKEN_DURATION', str(env, 'REFRESH_TOKEN_DURATION', '24h'));
  if (refreshTokenMs <= accessTokenMs) {
    throw new ConfigError('REFRESH_TOKEN_DURATION must be longer than ACCESS_TOKEN_DURATION.');
  }
  const corsOrigins = (optional(env, 'CORS_ORIGINS') ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  for (const o of corsOrigins) {
    if (!/^https?:\/\/[^/\s]+$/.test(o)) {
      throw new ConfigError(`CORS_ORIGINS must be a comma-separated list of origins such as https://app.example.com, got "${o}".`);
    }
  }
  return {
    host: str(env, 'HOST', '127.0.0.1'),
    /** Browser origins allowed to call the API (CORS); none by default. */
    corsOrigins,
    /** Behind a load balancer: trust its X-Forwarded-For for this many hops (client IPs for rate limits). */
    trustProxy: int(env, 'TRUST_PROXY_HOPS', 0, 0, 10),
    /** Largest accepted request body, in bytes. */
    bodyLimit: int(env, 'BODY_LIMIT_BYTES', 64 * 1024, 1024, 10 * 1024 * 1024),
    port: int(env, 'PORT', 8080, 0, 65535),
    databaseUrl,
    dataDir: str(env, 'DATA_DIR', '.data'),
    embeddedPgPort: int(env, 'EMBEDDED_PG_PORT', 54329, 1, 65535),
    /** With DATABASE_URL set, migrations are the deploy's job unless this asks for them at start. */
    migrateOnStart: bool(env, 'MIGRATE_ON_START', false),
    dbPoolSize: int(env, 'DB_POOL_SIZE', 10, 1, 500),
    /** Group commit: most movements per ledger call, and most calls in flight (one connection each). */
    moneyBatch: {
      maxBatch: int(env, 'MONEY_BATCH_MAX_ITEMS', 64, 1, 1000),
      maxInFlight: int(env, 'MONEY_BATCH_IN_FLIGHT', 2, 1, 100),
    },
    tokenSecretKey,
    accessTokenMs,
    refreshTokenMs,
    logLevel: logLevel as (typeof LOG_LEVELS)[number],
    /** How long an Idempotency-Key is kept (the contract promises at least 24 h). */
    idempotencyKeyTtlMs: (() => {
      const ms = parseDuration('IDEMPOTENCY_KEY_TTL', str(env, 'IDEMPOTENCY_KEY_TTL', '24h'));
      if (ms < 86_400_000) throw new ConfigError('IDEMPOTENCY_KEY_TTL must be at least 24h.');
      return ms;
    })(),
    /** argon2id costs; production defaults unless lowered (tests only) through these variables. */
    argon2: {
      memoryCost: int(env, 'ARGON2_MEMORY_KIB', 65536, 1024, 4_194_304),
      timeCost: int(env, 'ARGON2_TIME_COST', 3, 1, 100),
      parallelism: int(env, 'ARGON2_PARALLELISM', 4, 1, 64),
    },
    /** Password hashes computed at once (each takes ARGON2_MEMORY_KIB), and how many may wait. */
    hashing: {
      maxConcurrent: int(env, 'ARGON2_MAX_CONCURRENT', 2, 1, 64),
      maxQueued: int(env, 'ARGON2_MAX_QUEUE', 32, 0, 10_000),
    },
    loginRateLimit: {
      perUsername: int(env, 'LOGIN_RATE_LIMIT_PER_USERNAME', 10, 1, 1_000_000),
      perIp: int(env, 'LOGIN_RATE_LIMIT_PER_IP', 100, 1, 1_000_000),
      windowMs: parseDuration('LOGIN_RATE_LIMIT_WINDOW', str(env, 'LOGIN_RATE_LIMIT_WINDOW', '1m')),
    },
    signupRateLimit: {
      perIp: int(env, 'SIGNUP_RATE_LIMIT_PER_IP', 20, 1, 1_000_000),
      windowMs: parseDuration('SIGNUP_RATE_LIMIT_WINDOW', str(env, 'SIGNUP_RATE_LIMIT_WINDOW', '10m')),
    },
  };
}

export type Config = ReturnType<typeof loadConfig>;
