// Configuration: every variable the service reads is documented in .env.example, and each wrong
// value is refused with one sentence naming it.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, EnvSchema, loadConfig, readEnv } from '../../src/platform/config.js';
import { projectRoot } from '../../src/platform/paths.js';

it('.env.example lists exactly the variables of the one schema (EnvSchema), with its defaults', () => {
  const example = readFileSync(join(projectRoot, '.env.example'), 'utf8');
  const listed = [...example.matchAll(/^#? ?([A-Z0-9_]+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!] as const);
  const names = Object.keys(EnvSchema.properties);
  expect(names.length).toBeGreaterThan(25);
  expect([...new Set(listed.map(([n]) => n))].sort()).toEqual([...names].sort());
  // A line that is not commented out shows the default, as the schema says it.
  const defaults = readEnv({});
  for (const [name, value] of listed) {
    const d = defaults[name as keyof typeof defaults];
    if (d !== undefined && !example.includes(`# ${name}=`)) expect(`${name}=${value}`).toBe(`${name}=${String(d)}`);
  }
});

it("nothing else in src/ reads the environment (but NODE_ENV for the log format and the tests' MIGRATIONS_DIR)", () => {
  const files = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
      d.isDirectory() ? files(join(dir, d.name)) : d.name.endsWith('.ts') ? [join(dir, d.name)] : [],
    );
  const reads = files(join(projectRoot, 'src'))
    .filter((f) => !f.endsWith('src/platform/config.ts'))
    .flatMap((f) =>
      [...readFileSync(f, 'utf8').matchAll(/process\.env\.([A-Z_]+)|process\.env\[/g)].map(
        (m) => `${f.slice(projectRoot.length + 1)}: ${m[1] ?? '[…]'}`,
      ),
    );
  expect(reads.sort()).toEqual(['src/platform/logger.ts: NODE_ENV', 'src/platform/paths.ts: MIGRATIONS_DIR']);
});

it("defaults are the contract's", () => {
  const c = loadConfig({});
  expect([c.host, c.port, c.dataDir, c.embeddedPgPort, c.accessTokenMs, c.refreshTokenMs, c.logLevel]).toEqual([
    '127.0.0.1',
    8080,
    '.data',
    54329,
    15 * 60_000,
    24 * 3_600_000,
    'info',
  ]);
  expect(c.argon2).toEqual({ memoryCost: 65536, timeCost: 3, parallelism: 4 }); // argon2's production defaults
  expect(c.heapGrowingPercent).toBe(50); // src/platform/heap.ts; 0 leaves V8's own policy
  expect(loadConfig({ HEAP_GROWING_PERCENT: '0' }).heapGrowingPercent).toBe(0);
});

it.each([
  [{ PORT: 'eighty' }, /^PORT must be a whole number/],
  [{ PORT: '70000' }, /^PORT must be a whole number from 0 to 65535/],
  [{ DATABASE_URL: 'mysql://x' }, /^DATABASE_URL must be a postgres/],
  [{ DATABASE_URL: 'postgres://x@h/db' }, /^TOKEN_SECRET_KEY is required when DATABASE_URL is set/],
  [{ TOKEN_SECRET_KEY: 'k4.local.abc' }, /^TOKEN_SECRET_KEY must be a PASERK k4.secret key/],
  [{ ACCESS_TOKEN_DURATION: '15' }, /^ACCESS_TOKEN_DURATION must be a duration/],
  [{ ACCESS_TOKEN_DURATION: '2d' }, /^REFRESH_TOKEN_DURATION must be longer than ACCESS_TOKEN_DURATION/],
  [{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL must be one of/],
  [{ MIGRATE_ON_START: 'maybe' }, /^MIGRATE_ON_START must be true or false/],
  [{ IDEMPOTENCY_KEY_TTL: '1h' }, /^IDEMPOTENCY_KEY_TTL must be at least 24h/],
  [{ CORS_ORIGINS: 'app.example.com' }, /^CORS_ORIGINS must be a comma-separated list of origins/],
  [{ HEAP_GROWING_PERCENT: '500' }, /^HEAP_GROWING_PERCENT must be a whole number from 0 to 400/],
])('%j is refused with one sentence naming the variable', (env, message) => {
  expect(() => loadConfig(env)).toThrow(ConfigError);
  expect(() => loadConfig(env)).toThrow(message);
});
