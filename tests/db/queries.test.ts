// The statements of sql/ that no route reaches directly, and the ledger checks against real corruption.
import { getFundingAccount } from '../../generated/accounts.queries.js';
import { listEntriesOfTransfer } from '../../generated/entries.queries.js';
import { getUser } from '../../generated/users.queries.js';
import { asAccountId, asCents } from '../../src/ids.js';
import { verifyLedger } from '../../src/transfers/ledger.verify.js';
import { run } from '../process/helpers.js';
import { createTestDb, type TestDb } from '../setup/db.js';
import { makeAccount, makeUser } from '../setup/fixtures.js';
import { act, deposit, hold, transfer } from '../setup/ledger.js';

let db: TestDb;
beforeAll(async () => {
  db = await createTestDb();
});
afterAll(async () => {
  await db.drop();
});

it('GetUser, GetFundingAccount and ListEntriesOfTransfer return what was written', async () => {
  const alice = await makeUser(db.pool, 'alice');
  const [user] = await getUser.run({ username: alice }, db.pool);
  expect(user).toMatchObject({ username: alice, role: 'depositor', full_name: 'Test User' });
  for (const currency of ['USD', 'EUR', 'CAD']) {
    const rows = await getFundingAccount.run({ currency }, db.pool);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ owner: 'simplebank_system', currency });
  }
  const a = await makeAccount(db.pool, alice, 'USD');
  const out = await deposit(db.pool, a.id, asCents(42));
  const entries = await listEntriesOfTransfer.run({ transferId: out.transfer.id }, db.pool);
  expect(entries.map((e) => [Number(e.account_id), Number(e.amount)])).toEqual([
    [out.from_account.id, -42],
    [a.id, 42],
  ]);
});

describe('verifyLedger and `npm run verify-ledger` find each kind of corruption', () => {
  let a: number;
  let b: number;
  beforeAll(async () => {
    const u = await makeUser(db.pool, 'ledger');
    a = (await makeAccount(db.pool, u, 'EUR', 1_000)).id;
    b = (await makeAccount(db.pool, u, 'CAD', 1_000)).id;
    const v = await makeUser(db.pool, 'ledger');
    const c = (await makeAccount(db.pool, v, 'EUR')).id;
    await transfer(db.pool, { fromAccountId: asAccountId(a), toAccountId: c, amount: asCents(100), currency: 'EUR' });
  });

  it('a clean ledger passes, in code and on the command line', async () => {
    const report = await verifyLedger(db.pool);
    expect(report.violations).toEqual([]);
    expect(report.counts.transfers).toBeGreaterThanOrEqual(3);
    const cli = await run('scripts/cli.ts', ['verify-ledger'], { DATABASE_URL: db.url });
    expect(cli.code).toBe(0);
    expect(cli.output).toMatch(/ledger OK/);
  });

  it('a balance that no entry explains breaks invariant 2 for the account and its currency', async () => {
    await db.pool.query('UPDATE accounts SET balance = balance + 7 WHERE id = $1', [a]);
    const report = await verifyLedger(db.pool);
    expect(report.violations).toEqual([`account ${a} (EUR): balance 907 ≠ Σ entries 900`, 'currency EUR: Σ balances = 7, not 0']);
    const cli = await run('scripts/cli.ts', ['verify-ledger'], { DATABASE_URL: db.url });
    expect(cli.code).toBe(1);
    expect(cli.output).toMatch(new RegExp(`VIOLATION account ${a} \\(EUR\\)`));
    await db.pool.query('UPDATE accounts SET balance = balance - 7 WHERE id = $1', [a]);
  });

  it('a transfer missing an entry breaks invariant 1', async () => {
    const { rows } = await db.pool.query('SELECT id, transfer_id FROM entries WHERE account_id = $1 ORDER BY id DESC LIMIT 1', [b]);
    await db.pool.query('DELETE FROM entries WHERE id = $1', [rows[0].id]);
    const report = await verifyLedger(db.pool);
    expect(report.violations).toContain(`transfer ${rows[0].transfer_id} (posted): 1 entries that do not mirror posted_amount 1000`);
  });

  it('a customer account below zero breaks invariant 3 (with its constraint removed to let it happen)', async () => {
    await db.pool.query('ALTER TABLE accounts DROP CONSTRAINT accounts_balance_nonnegative');
    await db.pool.query('UPDATE accounts SET balance = -5 WHERE id = $1', [b]);
    const report = await verifyLedger(db.pool);
    expect(report.violations).toContain(`account ${b} (CAD): balance -5 below 0`);
  });

  describe('v1.3: holds, reversals and balance history (invariants 8-10)', () => {
    let x: ReturnType<typeof asAccountId>;
    let y: ReturnType<typeof asAccountId>;
    beforeAll(async () => {
      const u = await makeUser(db.pool, 'hold');
      const v = await makeUser(db.pool, 'hold');
      x = (await makeAccount(db.pool, u, 'USD', 500)).id;
      y = (await makeAccount(db.pool, v, 'USD')).id;
    });
    const transferViolations = async (id: number) =>
      (await verifyLedger(db.pool)).violations.filter((m) => m.startsWith(`transfer ${id} `) || m.startsWith(`transfer ${id}:`));

    it('a voided hold with an entry breaks invariant 9; a posted hold mirrors its posted_amount', async () => {
      const posted = await hold(db.pool, { fromAccountId: x, toAccountId: y, amount: asCents(50), currency: 'USD' });
      expect(await act(db.pool, { kind: 'post', transferId: posted, amount: asCents(20) })).toMatchObject({ ok: true });
      const voided = await hold(db.pool, { fromAccountId: x, toAccountId: y, amount: asCents(10), currency: 'USD' });
      expect(await act(db.pool, { kind: 'void', transferId: voided })).toMatchObject({ ok: true });
      expect(await transferViolations(posted)).toEqual([]);
      expect(await transferViolations(voided)).toEqual([]);
      await db.pool.query('INSERT INTO entries (account_id, amount, transfer_id, balance_after) VALUES ($1, 1, $2, 0)', [y, voided]);
      expect((await verifyLedger(db.pool)).violations).toContain(
        `transfer ${voided} (voided): 1 entries that do not mirror posted_amount 0`,
      );
    });

    it('a hold worth more than the balance breaks invariant 8 (with the ledger bypassed to make it)', async () => {
      const id = await hold(db.pool, { fromAccountId: x, toAccountId: y, amount: asCents(100), currency: 'USD' });
      await db.pool.query('UPDATE transfers SET amount = 100000 WHERE id = $1', [id]);
      expect((await verifyLedger(db.pool)).violations).toContain(
        `account ${x} (USD): balance 480 − live holds 100000 below 0 (invariant 8)`,
      );
      await db.pool.query("UPDATE transfers SET status = 'voided', released_amount = amount WHERE id = $1", [id]);
    });

    it('a reversed_amount no reversal explains breaks invariant 10; a wrong balance_after is found', async () => {
      const t = await transfer(db.pool, { fromAccountId: x, toAccountId: y, amount: asCents(30), currency: 'USD' });
      const back = await act(db.pool, { kind: 'reverse', transferId: t.transfer.id, amount: asCents(10) });
      expect(back).toMatchObject({ ok: true, result: { transfer: { reverses_transfer_id: t.transfer.id, amount: 10 } } });
      expect(await transferViolations(t.transfer.id)).toEqual([]);
      await db.pool.query('UPDATE transfers SET reversed_amount = 25 WHERE id = $1', [t.transfer.id]);
      expect((await verifyLedger(db.pool)).violations).toContain(
        `transfer ${t.transfer.id}: reversed_amount 25, reversals sum 10, posted_amount 30 (invariant 10)`,
      );
      const entry = t.from_entry!;
      await db.pool.query('UPDATE entries SET balance_after = balance_after + 1 WHERE id = $1', [entry.id]);
      expect((await verifyLedger(db.pool)).violations).toContain(
        `entry ${entry.id} of account ${x}: balance_after ${entry.balance_after + 1}, the running sum is ${entry.balance_after}`,
      );
    });
  });
});
