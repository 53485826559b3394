// The ledger function's plans are made once per connection (generic plans, whatever the tables held
// then): each lookup must be driven by the call's items through an index, never a scan of a whole
// table or index — a plan made while a table was empty would otherwise cost every later call in
// proportion to all that table ever holds. Read with auto_explain from the function's own statements.
import pg from 'pg';
import { balanceAt, getAccount } from '../../generated/accounts.queries.js';
import { listEntries } from '../../generated/entries.queries.js';
import { expireHolds } from '../../generated/transfers.queries.js';
import { asCents, asEntryId, fromInt8 } from '../../src/ids.js';
import { applyBatch } from '../../src/transfers/ledger.js';
import { createTestDb, type TestDb } from '../setup/db.js';
import { makeAccount, makeUser } from '../setup/fixtures.js';

let db: TestDb;
beforeAll(async () => {
  db = await createTestDb();
});
afterAll(async () => {
  await db.drop();
});

/** The plans of the statements the ledger function ran for one call, on a connection of its own. */
async function plansOf(run: (c: pg.Client) => Promise<unknown>): Promise<string[]> {
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  const plans: string[] = [];
  c.on('notice', (n) => {
    if (/plan:/i.test(n.message ?? '')) plans.push(n.message!);
  });
  try {
    await c.query(`LOAD 'auto_explain'`);
    await c.query('SET auto_explain.log_min_duration = 0');
    await c.query('SET auto_explain.log_nested_statements = on');
    await c.query('SET client_min_messages = log');
    await run(c);
  } finally {
    await c.end();
  }
  return plans;
}

/**
 * The scans of a plan that read a whole table or index: a Seq Scan, or an index scan without an Index
 * Cond — except the partial index of funding accounts, which holds one row per currency.
 */
function fullScans(plan: string): string[] {
  return plan
    .split('->')
    .map((node) => node.trim())
    .filter((node) => /^Seq Scan/.test(node) || (/^Index (Only )?Scan/.test(node) && !/Index Cond:/.test(node)))
    .filter((node) => !/using accounts_one_funding_per_currency /.test(node))
    .map((node) => node.split('\n')[0]!);
}

it('every statement of a call finds its rows by key, even with plans made while the tables were empty', async () => {
  const u = await makeUser(db.pool, 'plans');
  const a = (await makeAccount(db.pool, u, 'USD', 100)).id;
  const b = (await makeAccount(db.pool, await makeUser(db.pool, 'payee'), 'USD', 0)).id;
  // An expired stored answer, so the call deletes it too; then statistics of nearly empty tables:
  // the planner's most tempting moment for a full scan.
  await db.pool.query(
    `INSERT INTO idempotency_keys (username, key, fingerprint, status, response, created_at) VALUES ($1, 'old', '\\x66', 201, '{}', now() - interval '2 days')`,
    [u],
  );
  await db.pool.query('VACUUM ANALYZE idempotency_keys, accounts, transfers, entries');
  const transfer = { kind: 'transfer' as const, fromAccountId: a, toAccountId: b, amount: asCents(1), currency: 'USD' };
  const plans = await plansOf((c) =>
    applyBatch(
      c as never,
      [
        { movement: transfer, idempotency: { username: u, key: 'plan-1', fingerprint: Buffer.from('f') } },
        { movement: transfer, idempotency: { username: u, key: 'old', fingerprint: Buffer.from('f') } },
        { movement: transfer },
        { movement: { kind: 'deposit', accountId: a, amount: asCents(5) } },
        { movement: { kind: 'withdrawal', accountId: b, amount: asCents(1) } },
      ],
      86_400_000,
    ),
  );
  const statements = plans.map((p) => /Query Text: ([\s\S]*?)\n\s*(Query Parameters|[A-Z][a-z]+ [a-z]+ {2}\(cost)/.exec(p)?.[1] ?? p);
  // The lookup of stored answers, the expired one's DELETE, the answers' INSERT, the movement's writes:
  for (const want of [
    /FROM generate_subscripts\(items, 1\)/,
    /DELETE FROM idempotency_keys/,
    /INSERT INTO idempotency_keys/,
    /INSERT INTO transfers/,
    /UPDATE accounts/,
  ]) {
    expect(statements.some((s) => want.test(s))).toBe(true);
  }
  expect(plans.flatMap((p) => fullScans(p).map((scan) => `${/Query Text: ([^\n]*)/.exec(p)?.[1]} → ${scan}`))).toEqual([]);
});

it('v1.3: holds, postings, voids, reversals, account states, the balance as of a time and the expiry job find their rows by key', async () => {
  const u = await makeUser(db.pool, 'plans');
  const a = (await makeAccount(db.pool, u, 'USD', 1_000)).id;
  const b = (await makeAccount(db.pool, await makeUser(db.pool, 'payee'), 'USD', 0)).id;
  const held = (n: number) => ({
    kind: 'transfer' as const,
    fromAccountId: a,
    toAccountId: b,
    amount: asCents(n),
    currency: 'USD',
    hold: { timeoutSeconds: 60 },
  });
  const [h1, h2] = await applyBatch(db.pool, [{ movement: held(10) }, { movement: held(20) }], 86_400_000);
  if (!h1?.ok || !h2?.ok || !('transfer' in h1.result) || !('transfer' in h2.result)) throw new Error('holds refused');
  const t = await applyBatch(
    db.pool,
    [{ movement: { kind: 'transfer', fromAccountId: a, toAccountId: b, amount: asCents(5), currency: 'USD' } }],
    0,
  );
  if (!t[0]?.ok || !('transfer' in t[0].result)) throw new Error('transfer refused');
  const [hold1, hold2, moved] = [h1.result.transfer.id, h2.result.transfer.id, t[0].result.transfer.id];
  await db.pool.query('VACUUM ANALYZE accounts, transfers, entries');
  const plans = await plansOf(async (c) => {
    await applyBatch(
      c as never,
      [
        { movement: held(30) },
        { movement: { kind: 'post', transferId: hold1, amount: asCents(5) } },
        { movement: { kind: 'void', transferId: hold2 } },
        { movement: { kind: 'reverse', transferId: moved, amount: asCents(1) } },
        { movement: { kind: 'freeze', accountId: b } },
        { movement: { kind: 'unfreeze', accountId: b } },
      ],
      86_400_000,
    );
    // The service's own statements, with sequential scans ruled out as the tables will rule them out
    // once they are large: an index must serve each by key.
    await c.query('SET enable_seqscan = off');
    await balanceAt.run({ id: a, at: new Date() }, c);
    const firstPage = await listEntries.run({ accountId: a, beforeId: asEntryId(Number.MAX_SAFE_INTEGER), limit: 2 }, c);
    await listEntries.run({ accountId: a, beforeId: fromInt8(firstPage[0]!.id), limit: 2 }, c);
    await getAccount.run({ id: a }, c);
    await expireHolds.run({ limit: 100 }, c);
  });
  const texts = plans.join('\n');
  // The entries listing: the keyset bound is part of the index condition and the index gives the order
  // (no sort), so a page costs its own rows whatever the account holds before it.
  const listing = plans.filter((p) => /Query Text: SELECT e.id, e.account_id/.test(p));
  expect(listing).toHaveLength(2);
  for (const p of listing) {
    expect(p).toMatch(/Index Scan using entries_account_time_idx on entries e[^\n]*\n\s*Index Cond: [^\n]*ROW\(created_at, /);
    expect(p).not.toMatch(/Sort/);
  }
  for (const index of [
    'transfers_pending_from_idx',
    'transfers_pending_to_idx',
    'transfers_pending_expiry_idx',
    'entries_account_time_idx',
  ]) {
    expect(texts).toContain(index);
  }
  expect(plans.flatMap((p) => fullScans(p).map((scan) => `${/Query Text: ([^\n]*)/.exec(p)?.[1]} → ${scan}`))).toEqual([]);
});
