// `npm run migrate -- up|down|status|new NAME` on DATABASE_URL: what it applied, and the failing file.
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrationsDir } from '../../src/platform/paths.js';
import { createTestDb } from '../setup/db.js';
import { run } from './helpers.js';

it('status, down and up print what they did', async () => {
  const db = await createTestDb(1);
  try {
    const env = { DATABASE_URL: db.url, TOKEN_SECRET_KEY: undefined };
    const latest = (await readdir(migrationsDir))
      .filter((f) => f.endsWith('.sql'))
      .sort()
      .at(-1)!;
    const status = await run('scripts/migrate.ts', ['status'], env);
    expect(status.code).toBe(0);
    expect(status.output).toMatch(/Pending: 0/);
    const unasked = await run('scripts/migrate.ts', ['down'], env);
    expect(unasked.code).not.toBe(0);
    expect(unasked.output).toMatch(/run it again with --yes/);
    const down = await run('scripts/migrate.ts', ['down', '--yes'], env);
    expect(down.code).toBe(0);
    expect(down.output).toContain(`Rolled back: ${latest}`);
    const pending = await run('scripts/migrate.ts', ['status'], env);
    expect(pending.output).toMatch(/Pending: 1/);
    expect(pending.code).not.toBe(0); // a deploy gate: non-zero while migrations are pending
    expect(pending.output).toMatch(/migrations are pending/);
    const up = await run('scripts/migrate.ts', ['up'], env);
    expect(up.code).toBe(0);
    expect(up.output).toContain(`Applied: ${latest}`);
  } finally {
    await db.drop();
  }
});

it('a failing migration exits non-zero and names the file; `new NAME` creates one', async () => {
  const db = await createTestDb(1);
  const dir = await mkdtemp(join(tmpdir(), 'migrate-cli-'));
  try {
    await cp(migrationsDir, dir, { recursive: true });
    await writeFile(
      join(dir, '29990101000000_broken.sql'),
      '-- migrate:up\nALTER TABLE no_such_table ADD COLUMN x int;\n-- migrate:down\n',
    );
    const env = { DATABASE_URL: db.url, MIGRATIONS_DIR: dir };
    const up = await run('scripts/migrate.ts', ['up'], env);
    expect(up.code).not.toBe(0);
    expect(up.output).toMatch(/migrate up failed in 29990101000000_broken\.sql/);

    const made = await run('scripts/migrate.ts', ['new', 'add_memo'], env);
    expect(made.code).toBe(0);
    const created = (await readdir(dir)).filter((f) => f.endsWith('_add_memo.sql'));
    expect(created).toHaveLength(1);
    expect(await readFile(join(dir, created[0]!), 'utf8')).toMatch(/-- migrate:up[\s\S]*-- migrate:down/);
    expect((await run('scripts/migrate.ts', ['sideways'], env)).output).toMatch(/usage: npm run migrate/);
  } finally {
    await rm(dir, { recursive: true, force: true });
    await db.drop();
  }
});

it('status on a fresh DATA_DIR says there is no database yet and creates none; up gives up on an unreachable server in seconds', async () => {
  const { mkdtemp, readdir: ls, rm: remove } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { freePort } = await import('./helpers.js');
  const dataDir = await mkdtemp(join(tmpdir(), 'migrate-fresh-'));
  try {
    const status = await run('scripts/migrate.ts', ['status'], { DATABASE_URL: undefined, DATA_DIR: dataDir });
    expect(status.code).not.toBe(0);
    expect(status.output).toMatch(/there is no embedded database in .* yet/);
    expect(await ls(dataDir)).toEqual([]);
  } finally {
    await remove(dataDir, { recursive: true, force: true });
  }
  const t0 = Date.now();
  const up = await run('scripts/migrate.ts', ['up'], {
    DATABASE_URL: `postgres://nobody@127.0.0.1:${await freePort()}/nothing?sslmode=disable`,
    TOKEN_SECRET_KEY: undefined,
  });
  expect(up.code).not.toBe(0);
  expect(Date.now() - t0).toBeLessThan(30_000);
}, 60_000);
