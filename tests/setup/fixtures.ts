// Fixtures written through the same generated queries the service uses.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createAccount } from '../../generated/accounts.queries.js';
import { createUser } from '../../generated/users.queries.js';
import { toAccount } from '../../src/accounts/accounts.mappers.js';
import type { Account } from '../../src/accounts/accounts.schemas.js';
import type { Queryable } from '../../src/db/pool.js';
import { asCents, fromInt8 } from '../../src/ids.js';
import { deposit } from './ledger.js';

export async function makeUser(db: Queryable, prefix = 'user'): Promise<string> {
  const username = `${prefix}_${randomBytes(4).toString('hex')}`;
  await createUser.run({ username, hashedPassword: 'not-a-real-hash', fullName: 'Test User', email: `${username}@example.com` }, db);
  return username;
}

export async function makeAccount(db: Queryable, owner: string, currency = 'USD', balance = 0): Promise<Account> {
  const [row] = await createAccount.run({ owner, currency }, db);
  if (!row) throw new Error('createAccount returned no row');
  if (balance > 0) await deposit(db, fromInt8(row.id), asCents(balance));
  return { ...toAccount(row), balance: asCents(balance) };
}

export async function countRows(db: Queryable): Promise<{ transfers: number; entries: number }> {
  const { rows } = await db.query<{ transfers: string; entries: string }>(
    'SELECT (SELECT count(*) FROM transfers) AS transfers, (SELECT count(*) FROM entries) AS entries',
  );
  return { transfers: Number(rows[0]!.transfers), entries: Number(rows[0]!.entries) };
}

export async function balanceOf(db: Queryable, id: number): Promise<number> {
  const { rows } = await db.query<{ balance: string }>('SELECT balance FROM accounts WHERE id = $1', [id]);
  return Number(rows[0]!.balance);
}

/** Deadlocks Postgres detected in the database at `url`, read on a connection of its own. */
export async function deadlocksIn(url: string): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query('SELECT pg_stat_clear_snapshot()');
    const { rows } = await c.query<{ deadlocks: string }>('SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()');
    return Number(rows[0]!.deadlocks);
  } finally {
    await c.end();
  }
}
