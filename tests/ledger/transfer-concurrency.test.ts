import { createPool } from '../../src/db/pool.js';
import { DomainError } from '../../src/errors.js';
import { asAccountId, asCents } from '../../src/ids.js';
import { verifyLedger } from '../../src/transfers/ledger.verify.js';
import { createTestDb, type TestDb } from '../setup/db.js';
import { balanceOf, countRows, deadlocksIn, makeAccount, makeUser } from '../setup/fixtures.js';
import { deposit, transfer, withdraw } from '../setup/ledger.js';

let db: TestDb;
beforeAll(async () => {
  db = await createTestDb(32);
});
afterAll(async () => {
  await db.drop();
});

const deadlocks = () => deadlocksIn(db.url);

it('10 concurrent transfers A→B: each sees a distinct multiple of the amount, final balances exact', async () => {
  const alice = await makeUser(db.pool, 'alice');
  const bob = await makeUser(db.pool, 'bob');
  const a = await makeAccount(db.pool, alice, 'USD', 1_000);
  const b = await makeAccount(db.pool, bob, 'USD', 0);
  const n = 10;
  const amount = asCents(10);

  const results = await Promise.all(
    Array.from({ length: n }, () => transfer(db.pool, { fromAccountId: a.id, toAccountId: b.id, amount, currency: 'USD' })),
  );

  const ks = results.map((r) => {
    expect(r.from_entry?.amount).toBe(-amount);
    expect(r.to_entry?.amount).toBe(amount);
    const k = (a.balance - r.from_account.balance) / amount;
    return k;
  });
  expect(new Set(ks).size).toBe(n);
  expect([...ks].sort((x, y) => x - y)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
  expect(await balanceOf(db.pool, a.id)).toBe(a.balance - n * amount);
  expect(await balanceOf(db.pool, b.id)).toBe(n * amount);
});

it('proof the deadlock counter works: locking in opposite orders by hand does deadlock', async () => {
  const alice = await makeUser(db.pool, 'alice');
  const x = await makeAccount(db.pool, alice, 'USD');
  const y = await makeAccount(db.pool, alice, 'EUR');
  const before = await deadlocks();
  const pool = createPool(db.url, { max: 2 });
  const [c1, c2] = [await pool.connect(), await pool.connect()];
  await c1.query('BEGIN');
  await c2.query('BEGIN');
  await c1.query('UPDATE accounts SET balance = balance WHERE id = $1', [x.id]);
  await c2.query('UPDATE accounts SET balance = balance WHERE id = $1', [y.id]);
  const outcomes = await Promise.allSettled([
    c1.query('UPDATE accounts SET balance = balance WHERE id = $1', [y.id]),
    c2.query('UPDATE accounts SET balance = balance WHERE id = $1', [x.id]),
  ]);
  await c1.query('ROLLBACK');
  await c2.query('ROLLBACK');
  c1.release();
  c2.release();
  await pool.end();
  expect(outcomes.filter((o) => o.status === 'rejected').map((o) => (o as PromiseRejectedResult).reason.code)).toEqual(['40P01']);
  expect(await deadlocks()).toBe(before + 1);
});

it('200 concurrent transfers alternating A→B / B→A: no error, balances unchanged, no deadlock in Postgres', async () => {
  const alice = await makeUser(db.pool, 'alice');
  const bob = await makeUser(db.pool, 'bob');
  const a = await makeAccount(db.pool, alice, 'USD', 10_000);
  const b = await makeAccount(db.pool, bob, 'USD', 10_000);
  const before = await deadlocks();
  // 200 calls queue for 32 connections, all on the same two rows, so they commit one after another:
  // on a loaded CI machine the last ones wait longer than the service's 3 s bound for a connection
  // (a client-side refusal this test is not about). Here the wait is bounded by 60 s instead.
  const pool = createPool(db.url, { max: 32, connectTimeoutMs: 60_000 });
  const n = 200;

  const settled = await Promise.allSettled(
    Array.from({ length: n }, (_, i) =>
      i % 2 === 0
        ? transfer(pool, { fromAccountId: a.id, toAccountId: b.id, amount: asCents(7), currency: 'USD' })
        : transfer(pool, { fromAccountId: b.id, toAccountId: a.id, amount: asCents(7), currency: 'USD' }),
    ),
  );
  await pool.end(); // backends exit, so their statistics are flushed

  const failures = settled.filter((s) => s.status === 'rejected');
  expect(failures).toEqual([]);
  expect(await balanceOf(db.pool, a.id)).toBe(10_000);
  expect(await balanceOf(db.pool, b.id)).toBe(10_000);
  expect(await deadlocks()).toBe(before);
});

it('torture: 2,000 random transfers, deposits and withdrawals among 20 accounts at 32-way concurrency', async () => {
  const users = await Promise.all(Array.from({ length: 10 }, () => makeUser(db.pool, 'tort')));
  const accounts: { id: number; currency: string }[] = [];
  for (const u of users) {
    for (const currency of ['USD', 'EUR']) {
      accounts.push({ id: (await makeAccount(db.pool, u, currency, 5_000)).id, currency });
    }
  }
  const start = await countRows(db.pool);
  const before = await deadlocks();
  const pool = createPool(db.url, { max: 32 });
  const total = 2_000;
  let next = 0;
  let successes = 0;
  const refusals: Record<string, number> = {};
  const unexpected: unknown[] = [];
  const pick = () => accounts[Math.floor(Math.random() * accounts.length)]!;

  async function worker() {
    while (next < total) {
      next++;
      const roll = Math.random();
      const amount = 1 + Math.floor(Math.random() * 1_500);
      try {
        if (roll < 0.1) await deposit(pool, asAccountId(pick().id), asCents(amount));
        else if (roll < 0.2) await withdraw(pool, asAccountId(pick().id), asCents(amount));
        else {
          const from = pick();
          const to = pick();
          // Mostly same-currency pairs; some deliberately mismatched or identical to exercise the refusals.
          await transfer(pool, {
            fromAccountId: asAccountId(from.id),
            toAccountId: asAccountId(to.id),
            amount: asCents(amount),
            currency: Math.random() < 0.9 ? from.currency : to.currency,
          });
        }
        successes++;
      } catch (err) {
        if (err instanceof DomainError && err.status === 422) refusals[err.code] = (refusals[err.code] ?? 0) + 1;
        else unexpected.push(err);
      }
    }
  }
  await Promise.all(Array.from({ length: 32 }, worker));
  await pool.end();

  expect(unexpected).toEqual([]);
  expect(successes).toBeGreaterThan(total / 3); // money really moved (about half succeed: the rest are refusals)
  expect(refusals.insufficient_funds ?? 0).toBeGreaterThan(0); // the overdraft rule was really exercised
  const report = await verifyLedger(db.pool);
  expect(report.violations).toEqual([]);
  const end = await countRows(db.pool);
  expect(end.transfers - start.transfers).toBe(successes);
  expect(end.entries - start.entries).toBe(2 * successes);
  expect(await deadlocks()).toBe(before);
  const { rows } = await db.pool.query<{ n: string }>('SELECT count(*) AS n FROM accounts WHERE balance < 0 AND NOT is_funding');
  expect(Number(rows[0]!.n)).toBe(0);
});
