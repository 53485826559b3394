// A throwaway, freshly migrated database for tools that must see exactly what migrations/ produces
// (codegen, its drift check): on DATABASE_URL's server when set, else on a temporary embedded Postgres.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '../src/platform/embedded-postgres.js';
import { migrateUp } from '../src/platform/migrate.js';
import { withDatabase } from '../src/platform/urls.js';
import { freePort } from './free-port.js';

export interface ScratchDb {
  url: string;
  /** Over the Unix socket when the server is the embedded one (what the service's pool uses). */
  poolUrl: string;
  /** The embedded server's data folder (postmaster.pid, the socket), when the server is ours. */
  pgDir?: string;
  drop(): Promise<void>;
}

export async function createScratchDb(log: (line: string) => void): Promise<ScratchDb> {
  let embedded: EmbeddedPostgres | undefined;
  let tempDir: string | undefined;
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    tempDir = await mkdtemp(join(tmpdir(), 'simplebank-scratch-'));
    log('starting a temporary embedded Postgres');
    embedded = await startEmbeddedPostgres({ dataDir: tempDir, port: await freePort() });
    adminUrl = embedded.adminUrl;
  }
  const name = `simplebank_scratch_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: withDatabase(adminUrl, 'postgres') });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = withDatabase(adminUrl, name);
  log(`applying migrations to ${name}`);
  await migrateUp(url, (line) => log(`  dbmate: ${line}`));
  return {
    url,
    poolUrl: tempDir ? `${url}${url.includes('?') ? '&' : '?'}host=${encodeURIComponent(join(tempDir, 'pg'))}` : url,
    pgDir: tempDir ? join(tempDir, 'pg') : undefined,
    async drop() {
      const c = new pg.Client({ connectionString: withDatabase(adminUrl!, 'postgres') });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
      if (embedded) await embedded.stop();
      if (tempDir) await rm(tempDir, { recursive: true, force: true });
    },
  };
}
