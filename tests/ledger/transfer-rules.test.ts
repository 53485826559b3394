// Each rule of TransferTx: the right typed error, and not a single row written.
import { ForbiddenError, NotFoundError, RuleViolationError, ValidationError } from '../../src/errors.js';
import { asAccountId, asCents } from '../../src/ids.js';
import { verifyLedger } from '../../src/transfers/ledger.verify.js';
import { createTestDb, type TestDb } from '../setup/db.js';
import { balanceOf, countRows, makeAccount, makeUser } from '../setup/fixtures.js';
import { deposit, transfer, withdraw } from '../setup/ledger.js';

let db: TestDb;
beforeAll(async () => {
  db = await createTestDb();
});
afterAll(async () => {
  await db.drop();
});

describe('TransferTx success', () => {
  it('writes one transfer, two mirrored entries and both balances, and returns them all', async () => {
    const alice = await makeUser(db.pool, 'alice');
    const bob = await makeUser(db.pool, 'bob');
    const a = await makeAccount(db.pool, alice, 'USD', 1_000);
    const b = await makeAccount(db.pool, bob, 'USD', 0);
    const before = await countRows(db.pool);

    const out = await transfer(db.pool, {
      fromAccountId: a.id,
      toAccountId: b.id,
      amount: asCents(250),
      currency: 'USD',
      actingOwner: alice,
    });

    expect(out.transfer).toMatchObject({ from_account_id: a.id, to_account_id: b.id, amount: 250 });
    expect(out.from_account).toMatchObject({ id: a.id, owner: alice, balance: 750, currency: 'USD' });
    expect(await db.pool.query('SELECT owner, currency FROM accounts WHERE id = $1', [b.id])).toMatchObject({
      rows: [{ owner: bob, currency: 'USD' }],
    });
    expect(out.from_entry).toMatchObject({ account_id: a.id, amount: -250, transfer_id: out.transfer.id });
    expect(out.to_entry).toMatchObject({ account_id: b.id, amount: 250, transfer_id: out.transfer.id });
    expect(new Date(out.transfer.created_at).toISOString()).toBe(out.transfer.created_at);
    expect(await countRows(db.pool)).toEqual({ transfers: before.transfers + 1, entries: before.entries + 2 });
    expect(await balanceOf(db.pool, a.id)).toBe(750);
    expect(await balanceOf(db.pool, b.id)).toBe(250);
    expect((await verifyLedger(db.pool)).violations).toEqual([]);
  });

  it('moves deposits and withdrawals through the funding account of the currency', async () => {
    const carol = await makeUser(db.pool, 'carol');
    const c = await makeAccount(db.pool, carol, 'EUR');
    const dep = await deposit(db.pool, c.id, asCents(500));
    expect(dep.from_account.owner).toBe('simplebank_system');
    expect(dep.from_account.currency).toBe('EUR');
    expect(dep.to_entry).toMatchObject({ account_id: c.id, amount: 500 });
    expect(await balanceOf(db.pool, c.id)).toBe(500);
    const wd = await withdraw(db.pool, c.id, asCents(200));
    expect(wd.to_entry?.account_id).toBe(dep.from_account.id);
    expect(wd.from_account).toMatchObject({ id: c.id, balance: 300 });
    expect(await balanceOf(db.pool, dep.from_account.id)).toBe(dep.from_account.balance + 200);
    expect((await verifyLedger(db.pool)).ok).toBe(true);
  });
});

describe('TransferTx rule violations write nothing', () => {
  let alice: string;
  let bob: string;
  let usdA: number;
  let usdB: number;
  let eurB: number;

  beforeAll(async () => {
    alice = await makeUser(db.pool, 'alice');
    bob = await makeUser(db.pool, 'bob');
    usdA = (await makeAccount(db.pool, alice, 'USD', 100)).id;
    usdB = (await makeAccount(db.pool, bob, 'USD', 100)).id;
    eurB = (await makeAccount(db.pool, bob, 'EUR', 100)).id;
  });

  const cases: [
    string,
    () => { fromAccountId: number; toAccountId: number; amount: number; currency: string; actingOwner?: string },
    new (...a: never[]) => Error,
    string | undefined,
  ][] = [
    ['same account', () => ({ fromAccountId: usdA, toAccountId: usdA, amount: 10, currency: 'USD' }), RuleViolationError, 'same_account'],
    [
      'insufficient funds',
      () => ({ fromAccountId: usdA, toAccountId: usdB, amount: 101, currency: 'USD' }),
      RuleViolationError,
      'insufficient_funds',
    ],
    [
      'currency differs from the to-account',
      () => ({ fromAccountId: usdA, toAccountId: eurB, amount: 10, currency: 'USD' }),
      RuleViolationError,
      'currency_mismatch',
    ],
    [
      'currency differs from both accounts',
      () => ({ fromAccountId: usdA, toAccountId: usdB, amount: 10, currency: 'EUR' }),
      RuleViolationError,
      'currency_mismatch',
    ],
    [
      'unknown from-account',
      () => ({ fromAccountId: 9_999_999, toAccountId: usdB, amount: 10, currency: 'USD' }),
      NotFoundError,
      'not_found',
    ],
    [
      'unknown to-account',
      () => ({ fromAccountId: usdA, toAccountId: 9_999_999, amount: 10, currency: 'USD' }),
      NotFoundError,
      'not_found',
    ],
    [
      'from-account of another owner',
      () => ({ fromAccountId: usdB, toAccountId: usdA, amount: 10, currency: 'USD', actingOwner: alice }),
      ForbiddenError,
      'forbidden',
    ],
    ['zero amount', () => ({ fromAccountId: usdA, toAccountId: usdB, amount: 0, currency: 'USD' }), ValidationError, 'validation_failed'],
    [
      'negative amount',
      () => ({ fromAccountId: usdA, toAccountId: usdB, amount: -5, currency: 'USD' }),
      ValidationError,
      'validation_failed',
    ],
    // Fractions and amounts past 2^53 cannot be typed as Cents; the operation layer refuses them at run
    // time before the ledger (tests/operations/operations.test.ts).
  ];

  it.each(cases)('%s', async (_name, input, errorClass, code) => {
    const before = await countRows(db.pool);
    const balances = [await balanceOf(db.pool, usdA), await balanceOf(db.pool, usdB), await balanceOf(db.pool, eurB)];
    // Plain numbers, as a caller the types do not bind would send: the ledger function refuses them.
    const err = await transfer(db.pool, input() as unknown as Parameters<typeof transfer>[1]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(errorClass);
    expect((err as { code?: string }).code).toBe(code);
    expect(await countRows(db.pool)).toEqual(before);
    expect([await balanceOf(db.pool, usdA), await balanceOf(db.pool, usdB), await balanceOf(db.pool, eurB)]).toEqual(balances);
  });

  it('a withdrawal beyond the balance is insufficient_funds and writes nothing', async () => {
    const before = await countRows(db.pool);
    const err = await withdraw(db.pool, asAccountId(usdA), asCents(1_000_000)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RuleViolationError);
    expect((err as RuleViolationError).code).toBe('insufficient_funds');
    expect(await countRows(db.pool)).toEqual(before);
  });

  it('a deposit to an unknown account is not_found and writes nothing', async () => {
    const before = await countRows(db.pool);
    await expect(deposit(db.pool, asAccountId(424242), asCents(10))).rejects.toBeInstanceOf(NotFoundError);
    expect(await countRows(db.pool)).toEqual(before);
  });

  it('the table constraints refuse a negative customer balance even when the function is bypassed', async () => {
    const err = await db.pool.query('UPDATE accounts SET balance = -1 WHERE id = $1', [usdA]).catch((e: unknown) => e);
    expect((err as { constraint?: string }).constraint).toBe('accounts_balance_nonnegative');
    const err2 = await db.pool
      .query(`INSERT INTO transfers (from_account_id, to_account_id, amount, currency, posted_amount) VALUES ($1, $2, 5, 'USD', 5)`, [
        usdA,
        eurB,
      ])
      .catch((e: unknown) => e);
    expect((err2 as { constraint?: string }).constraint).toBe('transfers_to_account_fkey');
  });
});
