// `npm run migrate -- up|down|status|new NAME` on DATABASE_URL: what it applied, and the failing file.
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrationsDir } from '../../src/paths.js';
import { createTestDb } from '../setup/db.js';
import { run } from './helpers.js';

it('status, down and up print what they did', async () => {
  const db = await createTestDb(1);
  try {
    const env = { DATABASE_URL: db.url, TOKEN_SECRET_KEY: undefined };
    const latest = (await readdir(migrationsDir)).filter((f) => f.endsWith('.sql')).sort().at(-1)!;
    const status = await run('scripts/migrate.ts', ['status'], env);
    expect(status.code).toBe(0);
    expect(status.output).toMatch(/Pending: 0/);
    const down = await run('scripts/migrate.ts', ['down'], env);
    expect(down.code).toBe(0);
    expect(down.output).toContain(`Rolled back: ${latest}`);
    expect((await run('scripts/migrate.ts', ['status'], env)).output).toMatch(/Pending: 1/);
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
    await writeFile(join(dir, '29990101000000_broken.sql'), '-- migrate:up\nALTER TABLE no_such_table ADD COLUMN x int;\n-- migrate:down\n');
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
