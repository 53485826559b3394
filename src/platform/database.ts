// Which Postgres the service talks to: DATABASE_URL's, or an embedded one it starts itself.
import type { Config } from './config.js';
import { type EmbeddedPostgres, startEmbeddedPostgres } from './embedded-postgres.js';
import { migrateUp } from './migrate.js';

export interface Database {
  /** For tools (dbmate) and anything that wants a plain TCP URL. */
  url: string;
  /** For the service's pool: the Unix socket in embedded mode, else DATABASE_URL (may be a transaction pooler). */
  poolUrl: string;
  /** What needs a session (LISTEN, migrations): DATABASE_SESSION_URL, else poolUrl. */
  sessionUrl: string;
  /** A read replica for account reads, when DATABASE_READ_URL is set. */
  readUrl?: string;
  embedded?: EmbeddedPostgres;
  close(): Promise<void>;
}

export interface DatabaseLog {
  info(msg: string): void;
  warn(msg: string): void;
  debug(msg: string): void;
}

export async function openDatabase(
  config: Pick<Config, 'databaseUrl' | 'databaseSessionUrl' | 'databaseReadUrl' | 'dataDir' | 'embeddedPgPort' | 'migrateOnStart'>,
  log: DatabaseLog,
): Promise<Database> {
  if (config.databaseUrl) {
    // Migrations are the deploy's job (`npm run migrate`), unless MIGRATE_ON_START asks for them.
    // They need a session (dbmate takes a session-level lock): DATABASE_SESSION_URL.
    const sessionUrl = config.databaseSessionUrl ?? config.databaseUrl;
    if (config.migrateOnStart) {
      log.info('applying pending migrations (MIGRATE_ON_START)');
      await migrateUp(sessionUrl, (l) => log.info(`dbmate: ${l}`), true);
    }
    return { url: sessionUrl, poolUrl: config.databaseUrl, sessionUrl, readUrl: config.databaseReadUrl, close: async () => {} };
  }
  log.info(`starting embedded Postgres (data in ${config.dataDir}, port ${config.embeddedPgPort})`);
  const start = () =>
    startEmbeddedPostgres({
      dataDir: config.dataDir,
      port: config.embeddedPgPort,
      log: (l) => log.debug(`postgres: ${l}`),
      notice: (l) => log.info(l),
    });
  let current = await start();
  try {
    await migrateUp(current.url, (l) => log.info(`dbmate: ${l}`));
  } catch (err) {
    await current.stop();
    throw err;
  }

  // Faults heal without an operator: if our Postgres dies, start it again (same data, same port, so
  // the pool's URL stays valid); requests answer 503 meanwhile.
  let closing = false;
  const watch = (pg: EmbeddedPostgres) => {
    void pg.exited.then(async () => {
      if (closing) return;
      log.warn('embedded Postgres exited unexpectedly; restarting it');
      for (let attempt = 1; !closing; attempt++) {
        try {
          current = await start();
          if (closing) return void (await current.stop());
          log.info(`embedded Postgres restarted (attempt ${attempt})`);
          watch(current);
          return;
        } catch (err) {
          log.warn(`embedded Postgres did not restart yet: ${err instanceof Error ? err.message : String(err)}`);
          await new Promise((r) => setTimeout(r, Math.min(500 * attempt, 5_000)));
        }
      }
    });
  };
  watch(current);
  return {
    url: current.url,
    poolUrl: current.socketUrl,
    sessionUrl: current.socketUrl,
    embedded: current,
    close: async () => {
      closing = true;
      await current.stop();
    },
  };
}
