// `npm run codegen` must fail on an invalid query, although pgtyped itself exits 0 (upstream #574).
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../process/helpers.js';

const env = () => ({ DATABASE_URL: process.env.SIMPLEBANK_TEST_ADMIN_URL });

async function project(query: string) {
  const dir = await mkdtemp(join(tmpdir(), 'codegen-'));
  await mkdir(join(dir, 'sql'));
  await writeFile(join(dir, 'sql', 'probe.sql'), query);
  const config = join(dir, 'pgtyped.json');
  await writeFile(
    config,
    JSON.stringify({
      transforms: [{ mode: 'sql', include: '*.sql', emitTemplate: join(dir, 'out', '{{name}}.queries.ts') }],
      srcDir: `${join(dir, 'sql')}/`,
      failOnError: true,
    }),
  );
  return { dir, config };
}

it('fails, naming the query, when a query does not compile against the migrated schema', async () => {
  const p = await project('/* @name Broken */\nSELECT no_such_column FROM accounts WHERE id = :id!;\n');
  const r = await run('scripts/codegen.ts', ['--config', p.config], env());
  expect(r.code).toBe(1);
  expect(r.output).toMatch(/column "no_such_column" does not exist/);
  expect(r.output).toMatch(/FAILED: pgtyped reported/);
  await rm(p.dir, { recursive: true, force: true });
});

it('succeeds and writes typed functions for a valid query', async () => {
  const p = await project('/* @name Fine */\nSELECT id, balance FROM accounts WHERE id = :id!;\n');
  const r = await run('scripts/codegen.ts', ['--config', p.config], env());
  expect(r.code).toBe(0);
  const out = await readFile(join(p.dir, 'out', 'probe.queries.ts'), 'utf8');
  expect(out).toMatch(/export interface IFineResult \{\s+balance: string;\s+id: string;/);
  await rm(p.dir, { recursive: true, force: true });
});

describe('generated/schema.sql: the schema in one readable file', () => {
  it('is exactly what the migrations make today, and names every table, function and trigger', async () => {
    const { createTestDb } = await import('../setup/db.js');
    const { renderSchema } = await import('../../scripts/schema-dump.js');
    const { readFunctionSources } = await import('../../scripts/functions.js');
    const { projectRoot } = await import('../../src/platform/paths.js');
    const db = await createTestDb(1);
    try {
      const rendered = await renderSchema(db.url, await readFunctionSources());
      expect(rendered).toBe(await readFile(join(projectRoot, 'generated', 'schema.sql'), 'utf8'));
      const { rows } = await db.pool.query<{ name: string }>(`
        SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'
        UNION ALL SELECT proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'
        UNION ALL SELECT tgname FROM pg_trigger WHERE NOT tgisinternal`);
      expect(rows.length).toBeGreaterThan(10);
      for (const { name } of rows) expect(rendered).toContain(name);
      expect(rendered).toMatch(/CREATE UNLOGGED TABLE rate_limits/);
    } finally {
      await db.drop();
    }
  });
});
