// Database functions have one source each: sql/functions/NAME.pgsql, holding one
// `CREATE OR REPLACE FUNCTION NAME(…)` (.pgsql, not .sql: pgtyped compiles every *.sql under sql/ as
// queries and cannot read a function's body). Migrations stay the deploy path (dbmate): when a source differs
// from the function the migrations make, `npm run codegen` writes the migration that replaces it —
// migrations/<timestamp>_fn_NAME.sql, up: the source as it is, down: the function as it was — and
// `npm run codegen -- --check` fails until that migration is committed.
//
// "Differs" is Postgres's own judgement: in a migrated scratch database, inside a transaction that is
// rolled back, the function's pg_get_functiondef before and after running the source file.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { migrationsDir, projectRoot } from '../src/platform/paths.js';

export const functionsDir = join(projectRoot, 'sql', 'functions');

export interface FunctionSource {
  name: string;
  /** Relative to the project root, as pointers name it. */
  file: string;
  text: string;
}

export async function readFunctionSources(dir = functionsDir): Promise<FunctionSource[]> {
  const files = (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith('.pgsql')).sort();
  const out: FunctionSource[] = [];
  for (const f of files) {
    const name = f.replace(/\.pgsql$/, '');
    const text = await readFile(join(dir, f), 'utf8');
    const created = [...text.matchAll(/CREATE\s+(?:OR\s+REPLACE\s+)?FUNCTION\s+(?:public\.)?([a-z_][a-z0-9_]*)\s*\(/gi)].map((m) =>
      m[1]!.toLowerCase(),
    );
    if (created.length !== 1 || created[0] !== name || !/CREATE\s+OR\s+REPLACE/i.test(text)) {
      throw new Error(
        `sql/functions/${f} must hold exactly one CREATE OR REPLACE FUNCTION ${name}(…) (found: ${created.join(', ') || 'none'})`,
      );
    }
    out.push({ name, file: `sql/functions/${f}`, text });
  }
  return out;
}

interface Def {
  args: string;
  result: string;
  def: string;
}

const defsOf = async (c: pg.Client, name: string): Promise<Def[]> =>
  (
    await c.query<Def>(
      `SELECT pg_get_function_identity_arguments(p.oid) AS args, pg_get_function_result(p.oid) AS result,
              pg_get_functiondef(p.oid) AS def
       FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
       WHERE n.nspname = 'public' AND p.proname = $1 ORDER BY 1`,
      [name],
    )
  ).rows;

/** What a source would change in the migrated database: nothing, or the up and down of its migration. */
export type FunctionDrift = { source: FunctionSource; up: string; down: string; what: 'new' | 'changed' };

export async function functionDrift(url: string, sources: FunctionSource[]): Promise<FunctionDrift[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const drift: FunctionDrift[] = [];
  try {
    for (const source of sources) {
      const before = await defsOf(c, source.name);
      await c.query('BEGIN');
      // Each source alone: one that calls a function another source makes (a LANGUAGE sql wrapper) is
      // not checked against the database here; dbmate checks it when the migrations run, in order.
      await c.query('SET LOCAL check_function_bodies = off');
      let after: Def[];
      let dropped: Def | undefined;
      try {
        await c.query('SAVEPOINT source');
        try {
          await c.query(source.text);
        } catch (err) {
          // 42P13: the return type changed, which CREATE OR REPLACE cannot do: drop the one function of
          // that name first (an overload of another signature would be ambiguous: say so).
          if ((err as { code?: string }).code !== '42P13') throw err;
          if (before.length !== 1)
            throw new Error(
              `${source.file}: the return type changed and ${before.length} functions are named ${source.name}; write that migration by hand`,
            );
          await c.query('ROLLBACK TO SAVEPOINT source');
          dropped = before[0]!;
          await c.query(`DROP FUNCTION ${source.name}(${dropped.args})`);
          await c.query(source.text);
        }
        after = await defsOf(c, source.name);
      } finally {
        await c.query('ROLLBACK');
      }
      // The function the source made: the one of `after` that `before` does not hold as it is.
      const made = after.filter((a) => !before.some((b) => b.args === a.args && b.def === a.def));
      if (made.length === 0) continue;
      const fn = made[0]!;
      const previous = dropped ?? before.find((b) => b.args === fn.args);
      const ident = `${source.name}(${fn.args})`;
      const up = [...(dropped ? [`DROP FUNCTION ${source.name}(${dropped.args});`, ''] : []), source.text.trimEnd()].join('\n');
      const down = previous
        ? [...(dropped ? [`DROP FUNCTION ${ident};`, ''] : []), `${previous.def.trimEnd()};`].join('\n')
        : `DROP FUNCTION ${ident};`;
      drift.push({ source, up, down, what: previous ? 'changed' : 'new' });
    }
  } finally {
    await c.end();
  }
  return drift;
}

/** dbmate's version: the UTC time, later than every migration already there. */
async function nextVersion(dir: string): Promise<string> {
  const versions = (await readdir(dir)).map((f) => f.slice(0, 14)).filter((v) => /^\d{14}$/.test(v));
  const latest = versions.sort().pop() ?? '0';
  let v = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  if (v <= latest) v = String(BigInt(latest) + 1n);
  return v;
}

/** Writes the migration of one drifted function (into migrations/ unless told); returns its file name. */
export async function writeFunctionMigration(d: FunctionDrift, dir = migrationsDir): Promise<string> {
  const file = `${await nextVersion(dir)}_fn_${d.source.name}.sql`;
  const header = [
    `-- Written by \`npm run codegen\` from ${d.source.file}: edit that file, never this one.`,
    `-- up: the function as the source has it; down: the function as it was before.`,
  ].join('\n');
  await writeFile(join(dir, file), `-- migrate:up\n\n${header}\n${d.up}\n\n-- migrate:down\n\n${d.down}\n`);
  return file;
}
