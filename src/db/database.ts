// Which Postgres the service talks to: DATABASE_URL's, or an embedded one it starts itself.
import type { Config } from '../config.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded.js';
import { migrateUp } from './migrate.js';

export interface Database {
  /** For tools (dbmate) and anything that wants a plain TCP URL. */
  url: string;
  /** For the service's pool: the Unix socket in embedded mode, else the same as url. */
  poolUrl: string;
  embedded?: EmbeddedPostgres;
  close(): Promise<void>;
}

export interface DatabaseLog {
  info(msg: string): void;
  debug(msg: string): void;
}

export async function openDatabase(
  config: Pick<Config, 'databaseUrl' | 'dataDir' | 'embeddedPgPort' | 'migrateOnStart'>,
  log: DatabaseLog,
): Promise<Database> {
  if (config.databaseUrl) {
    // Migrations are the deploy's job (`npm run migrate`), unless MIGRATE_ON_START asks for them.
    if (config.migrateOnStart) {
      log.info('applying pending migrations (MIGRATE_ON_START)');
      await migrateUp(config.databaseUrl, (l) => log.info(`dbmate: ${l}`), true);
    }
    return { url: config.databaseUrl, poolUrl: config.databaseUrl, close: async () => {} };
  }
  log.info(`starting embedded Postgres (data in ${config.dataDir}, port ${config.embeddedPgPort})`);
  const embedded = await startEmbeddedPostgres({
    dataDir: config.dataDir,
    port: config.embeddedPgPort,
    log: (l) => log.debug(`postgres: ${l}`),
    notice: (l) => log.info(l),
  });
  try {
    await migrateUp(embedded.url, (l) => log.info(`dbmate: ${l}`));
  } catch (err) {
    await embedded.stop();
    throw err;
  }
  return { url: embedded.url, poolUrl: embedded.socketUrl, embedded, close: () => embedded.stop() };
}
