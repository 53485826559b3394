// The benchmark's yardstick must itself be a correct transfer, or its ratios mean nothing.
import { simplebankTransfer } from '../../bench/baseline.js';
import { verifyLedger } from '../../src/ledger/ledger.verify.js';
import { createTestDb, type TestDb } from '../setup/db.js';
import { makeAccount, makeUser } from '../setup/fixtures.js';

let db: TestDb;
beforeAll(async () => {
  db = await createTestDb(16);
});
afterAll(async () => {
  await db.drop();
});

it('the simplebank-style baseline keeps the ledger whole under opposite concurrent transfers', async () => {
  const a = (await makeAccount(db.pool, await makeUser(db.pool, 'base'), 'CAD', 1_000)).id;
  const b = (await makeAccount(db.pool, await makeUser(db.pool, 'base'), 'CAD', 1_000)).id;
  await Promise.all(
    Array.from({ length: 40 }, (_, i) =>
      i % 2 ? simplebankTransfer(db.pool, a, b, 3, 'CAD') : simplebankTransfer(db.pool, b, a, 3, 'CAD'),
    ),
  );
  const { rows } = await db.pool.query('SELECT balance FROM accounts WHERE id = ANY($1) ORDER BY id', [[a, b]]);
  expect(rows.map((r) => Number(r.balance))).toEqual([1_000, 1_000]);
  expect((await verifyLedger(db.pool)).violations).toEqual([]);
  const { rows: counted } = await db.pool.query('SELECT count(*)::int AS n FROM transfers WHERE from_account_id = ANY($1)', [[a, b]]);
  expect(counted[0].n).toBe(40);
});
