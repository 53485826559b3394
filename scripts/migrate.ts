// `npm run migrate -- up|down|status|new NAME`: dbmate with DATABASE_URL (or the embedded database).
import { runDbmate } from '../src/db/migrate.js';
import { fail, withOperatorDatabase } from './with-database.js';

const [command, ...rest] = process.argv.slice(2);
const usage = 'usage: npm run migrate -- up | down | status | new NAME';

async function main(): Promise<number> {
  if (command === 'new') {
    const name = rest[0];
    if (!name || !/^[a-z0-9_]+$/.test(name)) fail(`${usage}\nNAME: lower-case letters, digits and _`);
    return (await runDbmate('postgres://unused', ['new', name], (l) => console.log(l))).code;
  }
  if (!command || !['up', 'down', 'rollback', 'status'].includes(command)) fail(usage);
  const args = command === 'up' ? ['--wait', 'up'] : command === 'down' ? ['rollback'] : [command];
  return withOperatorDatabase(async (url) => {
    const result = await runDbmate(url, args, (l) => console.log(l));
    if (result.code !== 0 && command !== 'status') {
      const file = /Applying: (\S+)(?![\s\S]*Applying:)/.exec(result.output)?.[1] ?? /Rolling back: (\S+)/.exec(result.output)?.[1];
      console.error(`migrate ${command} failed${file ? ` in ${file}` : ''} (dbmate exit ${result.code})`);
    }
    return result.code;
  });
}

main().then(
  (code) => process.exit(code),
  (err) => fail(`migrate failed: ${err instanceof Error ? err.message : String(err)}`),
);
