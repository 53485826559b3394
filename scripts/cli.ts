// Operator commands: `npm run cli -- grant-banker USERNAME`, `revoke-banker USERNAME`,
// `new-token-key`, `token-public-key`, `verify-ledger`.
import pg from 'pg';
import { generateSecretKey, loadOrCreateKeyFile, publicKeyOf } from '../src/auth/tokens.js';
import { NotFoundError } from '../src/errors.js';
import { loadConfig } from '../src/platform/config.js';
import { verifyLedger } from '../src/transfers/ledger.verify.js';
import { grantBanker, revokeBanker } from '../src/users/users.service.js';
import { fail, withOperatorDatabase } from './with-database.js';

const [command, ...args] = process.argv.slice(2);
const usage = 'usage: npm run cli -- grant-banker USERNAME | revoke-banker USERNAME | new-token-key | token-public-key | verify-ledger';

async function withClient<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  return withOperatorDatabase(async (url) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end();
    }
  });
}

async function main(): Promise<number> {
  switch (command) {
    case 'grant-banker':
    case 'revoke-banker': {
      const username = args[0];
      if (!username) fail(usage);
      try {
        const user = await withClient((c) => (command === 'grant-banker' ? grantBanker(c, username) : revokeBanker(c, username)));
        console.log(command === 'grant-banker' ? `${user.username} is now a banker` : `${user.username} is no longer a banker`);
        return 0;
      } catch (err) {
        if (err instanceof NotFoundError) fail(`no user named "${username}"`);
        throw err;
      }
    }
    case 'new-token-key':
      console.log(await generateSecretKey());
      return 0;
    case 'token-public-key': {
      // The k4.public of the key the service signs with: TOKEN_SECRET_KEY, else the embedded key file.
      const config = loadConfig({ ...process.env, TOKEN_SECRET_KEY: process.env.TOKEN_SECRET_KEY || undefined, DATABASE_URL: undefined });
      const key = config.tokenSecretKey ?? (await loadOrCreateKeyFile(config.dataDir));
      console.log(await publicKeyOf(key));
      return 0;
    }
    case 'help':
    case '--help':
    case '-h':
      console.log(`${usage}

  grant-banker USERNAME    let USERNAME deposit, withdraw and act on any account
  revoke-banker USERNAME   take that back (at once: every request reads the role from the database)
  new-token-key            print a new TOKEN_SECRET_KEY (PASERK k4.secret)
  token-public-key         print the k4.public of the key the service signs with (for TOKEN_PREVIOUS_PUBLIC_KEYS)
  verify-ledger            check every ledger invariant; exit 1 on a violation`);
      return 0;
    case 'verify-ledger': {
      const report = await withClient((c) => verifyLedger(c));
      const { transfers, entries, accounts } = report.counts;
      console.log(`checked ${accounts} accounts, ${transfers} transfers, ${entries} entries`);
      for (const v of report.violations) console.error(`VIOLATION ${v}`);
      console.log(report.ok ? 'ledger OK' : `${report.violations.length} violation(s)`);
      return report.ok ? 0 : 1;
    }
    default:
      fail(usage);
  }
}

main().then(
  (code) => process.exit(code),
  (err) => fail(`${command ?? 'cli'} failed: ${err instanceof Error ? err.message : String(err)}`),
);
