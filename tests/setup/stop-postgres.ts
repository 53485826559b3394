import { rm } from 'node:fs/promises';
import pg from 'pg';
import type { EmbeddedPostgres } from '../../src/platform/embedded-postgres.js';
import { TEMPLATE_DB } from './urls.js';

export default async function globalTeardown(): Promise<void> {
  const state = (globalThis as Record<string, unknown>).__SIMPLEBANK_PG__ as { embedded: EmbeddedPostgres; dir: string } | undefined;
  if (state) {
    await state.embedded.stop();
    await rm(state.dir, { recursive: true, force: true });
    return;
  }
  // An external server: leave it as we found it.
  const admin = new pg.Client({ connectionString: process.env.SIMPLEBANK_TEST_ADMIN_URL });
  await admin.connect();
  const { rows } = await admin.query<{ datname: string }>(
    `SELECT datname FROM pg_database WHERE datname LIKE 'simplebank_test_%' OR datname = $1`,
    [TEMPLATE_DB],
  );
  for (const r of rows) await admin.query(`DROP DATABASE IF EXISTS ${r.datname} WITH (FORCE)`);
  await admin.end();
}
