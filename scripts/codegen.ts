// `npm run codegen`: SQL → typed functions in generated/, the migration of every database function
// whose source (sql/functions/NAME.sql) changed (scripts/functions.ts), and the schema the migrations
// make as one readable file (generated/schema.sql). `npm run codegen -- --check` fails when generated/
// differs from what the SQL and the migrations produce now, or when a function's source differs from
// the function the migrations make (CI's drift check).
import { spawn } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { migrateUp } from '../src/platform/migrate.js';
import { projectRoot } from '../src/platform/paths.js';
import { brandResultColumns } from './codegen-brands.js';
import { functionDrift, readFunctionSources, writeFunctionMigration } from './functions.js';
import { renderSchema } from './schema-dump.js';
import { createScratchDb } from './scratch-db.js';

const check = process.argv.includes('--check');
// --config PATH: another pgtyped config (tests use it to prove that a broken query fails the run).
const configArg = process.argv.indexOf('--config');
const configPath = configArg > 0 ? resolve(process.argv[configArg + 1] ?? '') : join(projectRoot, 'pgtyped.config.json');
const generatedDir = join(projectRoot, 'generated');
const log = (line: string) => console.log(`[codegen] ${line}`);

async function snapshot(): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const f of await readdir(generatedDir).catch(() => [] as string[])) {
    if (f.endsWith('.queries.ts') || f === 'schema.sql') files.set(f, await readFile(join(generatedDir, f), 'utf8'));
  }
  return files;
}

/** pgtyped exits 0 even when a query is invalid (upstream #574): its output is what tells. */
function runPgtyped(url: string): Promise<{ code: number; errors: string[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(projectRoot, 'node_modules/@pgtyped/cli/lib/index.js'), '-c', configPath], {
      cwd: projectRoot,
      env: { ...process.env, DATABASE_URL: url, SCARF_ANALYTICS: 'false' },
    });
    const errors: string[] = [];
    let pending = '';
    const take = (chunk: Buffer) => {
      const lines = (pending + chunk.toString('utf8')).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.trim()) continue;
        log(`  pgtyped: ${line}`);
        if (/Error in query|Error processing|Error:|error:/i.test(line)) errors.push(line);
      }
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, errors }));
  });
}

async function main(): Promise<number> {
  const before = await snapshot();
  const db = await createScratchDb(log);
  try {
    const sources = await readFunctionSources();
    const drift = await functionDrift(db.url, sources);
    if (drift.length && check) {
      console.error(
        `[codegen] DRIFT: the migrated database's functions differ from their sources: ${drift.map((d) => d.source.file).join(', ')}. ` +
          'Run `npm run codegen` and commit the migration it writes.',
      );
      return 1;
    }
    for (const d of drift)
      log(`${d.source.file} ${d.what === 'new' ? 'is new' : 'changed'}: wrote migrations/${await writeFunctionMigration(d)}`);
    if (drift.length) await migrateUp(db.url, (line) => log(`  dbmate: ${line}`));
    log(`database functions match their sources (${sources.map((s) => s.file).join(', ') || 'none'})`);
    log('running pgtyped over sql/*.sql');
    const { code, errors } = await runPgtyped(db.url);
    if (code !== 0 || errors.length > 0) {
      console.error(`[codegen] FAILED: pgtyped reported ${errors.length} error(s) (exit ${code}); generated/ is not trustworthy.`);
      return 1;
    }
    if (configArg < 0) {
      log(`branded ${await brandResultColumns(db.url, generatedDir)} result columns of the id and money domains`);
      log('writing generated/schema.sql from the migrated database');
      await writeFile(join(generatedDir, 'schema.sql'), await renderSchema(db.url, await readFunctionSources()));
    }
  } finally {
    await db.drop();
  }
  if (configArg > 0) return 0; // a foreign config writes elsewhere: nothing here to compare
  const after = await snapshot();
  const changed = [...new Set([...before.keys(), ...after.keys()])].filter((f) => before.get(f) !== after.get(f));
  const sqlFiles = (await readdir(join(projectRoot, 'sql'))).filter((f) => f.endsWith('.sql'));
  const orphans = [...after.keys()].filter((f) => f.endsWith('.queries.ts') && !sqlFiles.includes(f.replace(/\.queries\.ts$/, '.sql')));
  if (orphans.length) {
    console.error(`[codegen] generated/ holds files with no SQL source: ${orphans.join(', ')} — delete them.`);
    return 1;
  }
  if (check && changed.length) {
    console.error(
      `[codegen] DRIFT: generated/ was out of date with sql/ and migrations/: ${changed.join(', ')}. ` +
        'Run `npm run codegen` and commit the result.',
    );
    return 1;
  }
  log(changed.length ? `updated ${changed.join(', ')}` : `generated/ is up to date (${after.size} files)`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`[codegen] FAILED: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
