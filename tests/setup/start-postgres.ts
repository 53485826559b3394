// One Postgres for the whole run: DATABASE_URL's server when set, else an embedded one in a temp
// folder. A migrated template database is made once; each test file clones it (tests/setup/db.ts).
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from '../../scripts/free-port.js';
import { startEmbeddedPostgres } from '../../src/platform/embedded-postgres.js';
import { migrateUp } from '../../src/platform/migrate.js';
import { TEMPLATE_DB, withDatabase } from './urls.js';

export default async function globalSetup(): Promise<void> {
  let adminUrl = process.env.DATABASE_URL;
  if (adminUrl) {
    process.stdout.write(`\n[tests] using the Postgres at DATABASE_URL\n`);
  } else {
    const dir = await mkdtemp(join(tmpdir(), 'simplebank-test-'));
    process.stdout.write(`\n[tests] starting embedded Postgres in ${dir}\n`);
    const embedded = await startEmbeddedPostgres({ dataDir: dir, port: await freePort() });
    (globalThis as Record<string, unknown>).__SIMPLEBANK_PG__ = { embedded, dir };
    adminUrl = embedded.adminUrl;
  }
  process.env.SIMPLEBANK_TEST_ADMIN_URL = withDatabase(adminUrl, 'postgres');
  const admin = new pg.Client({ connectionString: process.env.SIMPLEBANK_TEST_ADMIN_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DB} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${TEMPLATE_DB}`);
  await admin.end();
  await migrateUp(withDatabase(adminUrl, TEMPLATE_DB));
  process.stdout.write(`[tests] template database migrated\n`);
}
