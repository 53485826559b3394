// `npm run migrate -- up|down [--yes]|status|new NAME`: dbmate with DATABASE_URL (or the embedded database).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../src/platform/config.js';
import { runDbmate } from '../src/platform/migrate.js';
import { fail, withOperatorDatabase } from './with-database.js';

const [command, ...rest] = process.argv.slice(2);
const usage = 'usage: npm run migrate -- up | down [--yes] | status | new NAME';

async function main(): Promise<number> {
  if (command === 'new') {
    const name = rest[0];
    if (!name || !/^[a-z0-9_]+$/.test(name)) fail(`${usage}\nNAME: lower-case letters, digits and _`);
    return (await runDbmate('postgres://unused', ['new', name], (l) => console.log(l))).code;
  }
  if (!command || !['up', 'down', 'rollback', 'status'].includes(command)) fail(usage);
  const rollingBack = command === 'down' || command === 'rollback';
  // Rolling back a database someone else runs drops what the newest migration made: say so first.
  if (rollingBack && process.env.DATABASE_URL && !rest.includes('--yes')) {
    fail(
      'migrate down rolls back the newest migration of the database at DATABASE_URL (its tables and data may go): run it again with --yes to do so.',
    );
  }
  // Reading or rolling back needs a database that exists: never create an embedded one for that.
  if (!process.env.DATABASE_URL && !rollingBack && command === 'status' && !embeddedExists()) {
    fail(
      `there is no embedded database in ${loadConfig({ ...process.env }).dataDir} yet: npm start (or npm run migrate -- up) creates it.`,
    );
  }
  if (!process.env.DATABASE_URL && rollingBack && !embeddedExists()) {
    fail(`there is no embedded database in ${loadConfig({ ...process.env }).dataDir} yet: nothing to roll back.`);
  }
  // up waits a little for a database that is starting, not a minute for one that is not there;
  // status exits non-zero while migrations are pending (a deploy gate).
  const args = command === 'up' ? ['--wait', '--wait-timeout', '10s', 'up'] : rollingBack ? ['rollback'] : ['status', '--exit-code'];
  return withOperatorDatabase(async (url) => {
    const result = await runDbmate(url, args, (l) => console.log(l));
    if (result.code !== 0 && command === 'status' && /Pending: [1-9]/.test(result.output)) {
      console.error('migrations are pending: npm run migrate -- up');
    } else if (result.code !== 0) {
      const file = /Applying: (\S+)(?![\s\S]*Applying:)/.exec(result.output)?.[1] ?? /Rolling back: (\S+)/.exec(result.output)?.[1];
      console.error(`migrate ${command} failed${file ? ` in ${file}` : ''} (dbmate exit ${result.code})`);
    }
    return result.code;
  });
}

function embeddedExists(): boolean {
  return existsSync(join(loadConfig({ ...process.env }).dataDir, 'pg', 'PG_VERSION'));
}

main().then(
  (code) => process.exit(code),
  (err) => fail(`migrate failed: ${err instanceof Error ? err.message : String(err)}`),
);
