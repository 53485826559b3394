// Operator commands (migrations, the CLI) need a session: they run against DATABASE_SESSION_URL, else
// DATABASE_URL, or the embedded database in DATA_DIR when neither is set.
import { loadConfig } from '../src/platform/config.js';
import { attachOrStartEmbedded } from '../src/platform/embedded-postgres.js';

export async function withOperatorDatabase<T>(fn: (url: string) => Promise<T>): Promise<T> {
  const env = { ...process.env };
  // Operator commands need no token key: do not let its absence stop them.
  if (env.DATABASE_URL && !env.TOKEN_SECRET_KEY) env.TOKEN_SECRET_KEY = 'k4.secret.unused';
  const config = loadConfig(env);
  if (config.databaseSessionUrl) return fn(config.databaseSessionUrl);
  const embedded = await attachOrStartEmbedded({ dataDir: config.dataDir, port: config.embeddedPgPort });
  try {
    return await fn(embedded.url);
  } finally {
    await embedded.stop();
  }
}

export function fail(message: string): never {
  console.error(message);
  process.exit(1);
}
