// Database functions have one source each (sql/functions/NAME.pgsql); `npm run codegen` writes the
// migration that applies a changed source (up: the source, down: the function as it was), and the
// drift check fails while the migrated function differs from its source (scripts/functions.ts).
import { spawnSync } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveBinary } from 'dbmate';
import { functionDrift, readFunctionSources, writeFunctionMigration } from '../../scripts/functions.js';
import { migrationsDir } from '../../src/platform/paths.js';
import { createTestDb, type TestDb } from '../setup/db.js';

let db: TestDb;
beforeAll(async () => {
  db = await createTestDb(1);
});
afterAll(async () => {
  await db.drop();
});

const dbmate = (dir: string, command: string) =>
  spawnSync(resolveBinary(), ['--migrations-dir', dir, '--no-dump-schema', command], {
    env: { ...process.env, DATABASE_URL: db.url },
    encoding: 'utf8',
  });

const bodyOf = async (name: string) =>
  (await db.pool.query<{ src: string }>('SELECT prosrc AS src FROM pg_proc WHERE proname = $1', [name])).rows.map((r) => r.src);

it('the migrations make every function exactly as its source file says', async () => {
  const sources = await readFunctionSources();
  expect(sources.map((s) => s.file)).toContain('sql/functions/ledger_apply.pgsql');
  expect(await functionDrift(db.url, sources)).toEqual([]);
});

it('a changed source becomes one migration: up applies the source, down restores the function before', async () => {
  const [ledger] = (await readFunctionSources()).filter((s) => s.name === 'ledger_apply');
  const before = await bodyOf('ledger_apply');
  const changed = { ...ledger!, text: ledger!.text.replace('IF n = 0 THEN RETURN; END IF;', 'IF n = 0 THEN RETURN; END IF; -- changed') };
  const [drift, ...more] = await functionDrift(db.url, [changed]);
  expect(more).toEqual([]);
  expect(drift).toMatchObject({ what: 'changed' });

  const dir = await mkdtemp(join(tmpdir(), 'fn-migrations-'));
  try {
    await cp(migrationsDir, dir, { recursive: true });
    const file = await writeFunctionMigration(drift!, dir);
    expect(file).toMatch(/^\d{14}_fn_ledger_apply\.sql$/);
    expect((await readdir(dir)).sort().pop()).toBe(file); // the newest migration
    const text = await readFile(join(dir, file), 'utf8');
    expect(text).toMatch(/edit that file, never this one/);
    expect(text).toContain('sql/functions/ledger_apply.pgsql');

    expect(dbmate(dir, 'up').status).toBe(0);
    expect((await bodyOf('ledger_apply'))[0]).toContain('-- changed');
    expect(await functionDrift(db.url, [changed])).toEqual([]); // in step with the changed source
    expect(await functionDrift(db.url, [ledger!])).toHaveLength(1); // and no longer with the committed one

    expect(dbmate(dir, 'rollback').status).toBe(0);
    expect(await bodyOf('ledger_apply')).toEqual(before);
    expect(await functionDrift(db.url, [ledger!])).toEqual([]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

it('a new function is created by its migration and dropped by its down', async () => {
  const fresh = {
    name: 'probe_fn',
    file: 'sql/functions/probe_fn.pgsql',
    text: 'CREATE OR REPLACE FUNCTION probe_fn(x int) RETURNS int LANGUAGE sql IMMUTABLE RETURN x + 1;\n',
  };
  const [drift] = await functionDrift(db.url, [fresh]);
  expect(drift).toMatchObject({ what: 'new', down: 'DROP FUNCTION probe_fn(x integer);' });
  // A return type CREATE OR REPLACE cannot change: the migration drops the old one first, and its down
  // drops the new one and restores the old.
  await db.pool.query(fresh.text);
  try {
    const retyped = { ...fresh, text: fresh.text.replace('RETURNS int', 'RETURNS bigint').replace('x + 1', 'x + 2') };
    const [d2] = await functionDrift(db.url, [retyped]);
    expect(d2!.up).toMatch(/^DROP FUNCTION probe_fn\(x integer\);/);
    expect(d2!.down).toMatch(
      /^DROP FUNCTION probe_fn\(x integer\);\n\nCREATE OR REPLACE FUNCTION public\.probe_fn\(x integer\)\n RETURNS integer/,
    );
  } finally {
    await db.pool.query('DROP FUNCTION probe_fn(int)');
  }
});

it('refuses a source file that does not hold exactly its own function', async () => {
  const { writeFile } = await import('node:fs/promises');
  const dir = await mkdtemp(join(tmpdir(), 'fn-sources-'));
  try {
    await writeFile(join(dir, 'mismatch.pgsql'), 'CREATE OR REPLACE FUNCTION other_name() RETURNS int LANGUAGE sql RETURN 1;\n');
    await expect(readFunctionSources(dir)).rejects.toThrow(/mismatch\.pgsql must hold exactly one CREATE OR REPLACE FUNCTION mismatch/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
