// Result columns of the id and money domains → branded types, in generated/*.queries.ts.
//
// pgtyped's `typesOverrides` (pgtyped.config.json) map the domains for PARAMETERS (a query casts its
// parameter to the domain: `:id!::account_id`). For RESULT columns they cannot: the wire protocol
// describes a domain-typed column by its base type (bigint), so pgtyped sees only int8. Postgres
// does know the domain of each output column of a prepared statement (pg_prepared_statements
// .result_types, in output order): this pass prepares every generated query, pairs those types with
// the column names pgtyped's own describe step reports in the same order, and types the domain
// columns as `Int8<AccountId>` … (src/ids.ts): the text node-postgres returns, branded by what it holds.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { getTypes, startup } from '@pgtyped/query';
import { processSQLQueryIR } from '@pgtyped/runtime';
import { AsyncQueue } from '@pgtyped/wire';
import pg from 'pg';

const BRANDS: Record<string, string> = { account_id: 'AccountId', transfer_id: 'TransferId', entry_id: 'EntryId', cents: 'Cents' };
const IDS_IMPORT = /^import type \{ ([^}]+) \} from '\.\.\/src\/ids\.js';\n\n?/m;

/** Rewrites the generated files in place; returns how many result columns it branded. */
export async function brandResultColumns(url: string, dir: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const u = new URL(url);
  const wire = new AsyncQueue();
  await startup(
    {
      host: u.hostname,
      port: Number(u.port || 5432),
      user: decodeURIComponent(u.username),
      password: decodeURIComponent(u.password),
      dbName: u.pathname.slice(1),
      ssl: /^(require|verify-ca|verify-full|prefer)$/.test(u.searchParams.get('sslmode') ?? '') ? {} : undefined,
    },
    wire,
  );
  let branded = 0;
  try {
    for (const file of (await readdir(dir)).filter((f) => f.endsWith('.queries.ts')).sort()) {
      const path = join(dir, file);
      let text = await readFile(path, 'utf8');
      const used = new Set<string>(IDS_IMPORT.exec(text)?.[1]?.split(', ') ?? []);
      for (const m of text.matchAll(/^const (\w+)IR: any = (\{.*\});$/gm)) {
        const name = m[1]!;
        const interpolated = processSQLQueryIR(JSON.parse(m[2]!));
        const { query } = interpolated;
        const described = await getTypes(interpolated, wire);
        if ('errorCode' in described) throw new Error(`${file}: ${name}: ${described.errorCode}`);
        // A column named `x!` or `x?` (pgtyped's nullability hints) is field `x` of the result interface.
        const names = described.returnTypes.map((r) => r.returnName.replace(/[!?]$/, ''));
        await client.query(`PREPARE codegen_probe AS ${query}`);
        let types: string[];
        try {
          const { rows } = await client.query<{ types: string[] }>(
            "SELECT result_types::text[] AS types FROM pg_prepared_statements WHERE name = 'codegen_probe'",
          );
          types = rows[0]?.types ?? [];
        } finally {
          await client.query('DEALLOCATE codegen_probe');
        }
        const iface = `export interface I${name[0]!.toUpperCase()}${name.slice(1)}Result {\n`;
        const start = text.indexOf(iface);
        if (start < 0) {
          if (types.length) throw new Error(`${file}: no result interface for ${name}, which returns ${types.length} columns`);
          continue;
        }
        const end = text.indexOf('\n}\n', start);
        const fields = text.slice(start + iface.length, end).split('\n');
        if (names.length !== types.length) throw new Error(`${file}: ${name}: ${types.length} result types for ${names.length} columns`);
        const domainOf = new Map(names.map((n, i) => [n, types[i]!]));
        const rewritten = fields.map((line) => {
          const field = /^ {2}"?([\w]+)"?: /.exec(line)?.[1];
          const brand = field === undefined ? undefined : BRANDS[domainOf.get(field) ?? ''];
          if (!brand) return line;
          branded++;
          used.add(brand).add('Int8');
          return line.replace(/: string(\s*\|\s*null)?;$/, (_all, nullable: string | undefined) => `: Int8<${brand}>${nullable ?? ''};`);
        });
        text = text.slice(0, start + iface.length) + rewritten.join('\n') + text.slice(end);
      }
      if (used.size) {
        const line = `import type { ${[...used].sort().join(', ')} } from '../src/ids.js';\n\n`;
        text = IDS_IMPORT.test(text)
          ? text.replace(IDS_IMPORT, line)
          : text.replace(/^(import \{ PreparedQuery \} from '@pgtyped\/runtime';\n\n)/m, `$1${line}`);
      }
      await writeFile(path, text);
    }
  } finally {
    await client.end();
    wire.socket.destroy();
  }
  return branded;
}
