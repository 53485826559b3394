// A transfer's event is written narrow (its type and transfer id) inside the ledger call and stays so
// when numbered; its data is built from the transfer's row by whoever reads it (the view event_feed),
// later — after the transfer may have moved on (a hold posted, voided or expired before its
// `transfer.pending` event was numbered or read). Every event
// must still carry the Transfer object as the change that made it answered, and the owners of both
// sides: here every change happens first, and only then is anything numbered and read.
import { expireHolds } from '../../generated/transfers.queries.js';
import { type AccountId, asCents, type TransferId } from '../../src/ids.js';
import type { Movement } from '../../src/transfers/ledger.js';
import { createTestDb, type TestDb } from '../setup/db.js';
import { makeAccount, makeUser } from '../setup/fixtures.js';
import { act } from '../setup/ledger.js';

let db: TestDb;
beforeAll(async () => {
  db = await createTestDb(4);
});
afterAll(async () => {
  await db.drop();
});

const sequence = () => db.pool.query<{ moved: number; last: string }>('SELECT * FROM sequence_events(10000)').then((r) => r.rows[0]!);

/** What the ledger answered: the object an event of this change must carry. */
async function answer(movement: Movement): Promise<Record<string, unknown>> {
  const a = await act(db.pool, movement);
  if (!a.ok) throw a.error;
  return a.result as unknown as Record<string, unknown>;
}

it("every transfer event carries the Transfer as its change answered it, though numbered after the transfer moved on; an account's event its account", async () => {
  const alice = await makeUser(db.pool, 'alice');
  const bob = await makeUser(db.pool, 'bob');
  const a = await makeAccount(db.pool, alice, 'USD', 10_000);
  const b = await makeAccount(db.pool, bob, 'USD', 0);
  const from = a.id as AccountId;
  const to = b.id as AccountId;
  const base = Number((await sequence()).last); // what the fixtures wrote, numbered before the changes

  const expected: { type: string; data: unknown; owner_a: string; owner_b: string | null }[] = [];
  const both = (type: string, transfer: unknown) => expected.push({ type, data: { transfer }, owner_a: alice, owner_b: bob });

  const sent = await answer({ kind: 'transfer', fromAccountId: from, toAccountId: to, amount: asCents(100), currency: 'USD' });
  both('transfer.posted', sent.transfer);
  const pending = (amount: number, timeoutSeconds = 3600) =>
    answer({ kind: 'transfer', fromAccountId: from, toAccountId: to, amount: asCents(amount), currency: 'USD', hold: { timeoutSeconds } });

  const h1 = await pending(500);
  both('transfer.pending', h1.transfer);
  const posted = await answer({ kind: 'post', transferId: (h1.transfer as { id: TransferId }).id, amount: asCents(200) });
  both('transfer.posted', posted.transfer);
  expect(posted.transfer).toMatchObject({ status: 'posted', posted_amount: 200, amount: 500 });

  const h2 = await pending(300);
  both('transfer.pending', h2.transfer);
  const voided = await answer({ kind: 'void', transferId: (h2.transfer as { id: TransferId }).id });
  both('transfer.voided', voided.transfer);

  const reversal = await answer({
    kind: 'reverse',
    transferId: (sent.transfer as { id: TransferId }).id,
    amount: asCents(40),
    reference: 'refund-1',
    metadata: { why: 'damaged' },
  } as Movement);
  // A reversal moves money back: its sender is bob.
  expected.push({ type: 'transfer.posted', data: { transfer: reversal.transfer }, owner_a: bob, owner_b: alice });

  const h3 = await pending(50, 1);
  both('transfer.pending', h3.transfer);
  await new Promise((r) => setTimeout(r, 1_200));
  expect((await expireHolds.run({ limit: 100 }, db.pool)).map((r) => Number(r.id))).toEqual([Number((h3.transfer as { id: number }).id)]);
  both('transfer.expired', { ...(h3.transfer as object), status: 'expired' });

  const frozen = await answer({ kind: 'freeze', accountId: from });
  expected.push({ type: 'account.frozen', data: { account: frozen.account }, owner_a: alice, owner_b: null });

  const { moved } = await sequence();
  expect(moved).toBe(expected.length);
  const { rows } = await db.pool.query('SELECT type, data, owner_a, owner_b FROM event_feed WHERE sequence > $1 ORDER BY sequence', [base]);
  expect(rows).toEqual(expected);
  // What the earliest events say is not what the rows say now: the data is the change's, not the row's.
  expect(rows[1].data.transfer).toMatchObject({ status: 'pending', posted_amount: 0 });
  expect(rows[3].data.transfer).toMatchObject({ status: 'pending', posted_amount: 0 });
});
