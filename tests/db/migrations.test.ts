// Every migration goes down and up again cleanly, through dbmate as the deploy runs it.

import { readdirSync } from 'node:fs';
import { runDbmate } from '../../src/platform/migrate.js';
import { migrationsDir } from '../../src/platform/paths.js';
import { createTestDb, type TestDb } from '../setup/db.js';

let db: TestDb;
beforeAll(async () => {
  db = await createTestDb(1);
});
afterAll(async () => {
  await db.drop();
});

const tables = async () =>
  (
    await db.pool.query<{ t: string }>(
      `SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_migrations' ORDER BY 1`,
    )
  ).rows.map((r) => r.t);

it('rolls every migration back, one at a time, then applies them all again', async () => {
  const count = readdirSync(migrationsDir).filter((f) => f.endsWith('.sql')).length;
  expect(await tables()).toEqual([
    'accounts',
    'entries',
    'event_counter',
    'event_outbox',
    'events',
    'idempotency_keys',
    'rate_limits',
    'sessions',
    'transfers',
    'users',
    'verify_emails',
    'webhook_deliveries',
    'webhook_endpoints',
    'webhook_fanout',
  ]);
  for (let i = 0; i < count; i++) {
    const r = await runDbmate(db.url, ['rollback']);
    expect(r.code).toBe(0);
  }
  expect(await tables()).toEqual([]);
  const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM pg_proc WHERE proname IN ('transfer_tx', 'funding_tx')`);
  expect(rows[0].n).toBe(0);
  const up = await runDbmate(db.url, ['up']);
  expect(up.code).toBe(0);
  expect(await tables()).toEqual([
    'accounts',
    'entries',
    'event_counter',
    'event_outbox',
    'events',
    'idempotency_keys',
    'rate_limits',
    'sessions',
    'transfers',
    'users',
    'verify_emails',
    'webhook_deliveries',
    'webhook_endpoints',
    'webhook_fanout',
  ]);
});

it('a failing migration exits non-zero and names the file', async () => {
  const { mkdtemp, writeFile, rm, cp } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = await mkdtemp(join(tmpdir(), 'migrations-'));
  await cp(migrationsDir, dir, { recursive: true });
  await writeFile(join(dir, '29990101000000_broken.sql'), '-- migrate:up\nALTER TABLE no_such_table ADD COLUMN x int;\n-- migrate:down\n');
  const { spawnSync } = await import('node:child_process');
  const { resolveBinary } = await import('dbmate');
  const r = spawnSync(resolveBinary(), ['--migrations-dir', dir, '--no-dump-schema', 'up'], {
    env: { ...process.env, DATABASE_URL: db.url },
    encoding: 'utf8',
  });
  expect(r.status).not.toBe(0);
  expect(r.stdout + r.stderr).toMatch(/29990101000000_broken\.sql/);
  expect(r.stdout + r.stderr).toMatch(/no_such_table/);
  await rm(dir, { recursive: true, force: true });
});
