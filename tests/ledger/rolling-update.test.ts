// During a rolling update the previous releases' pods share the database with this one: their ledger
// calls must keep working on this schema and answer in the shape their decoders accept (v1.2's refuses
// any field it does not know). ledger_batch is v1.2's call, transfer_tx_batch v1.1's.
import { asCents } from '../../src/ids.js';
import { verifyLedger } from '../../src/transfers/ledger.verify.js';
import { createTestDb, type TestDb } from '../setup/db.js';
import { makeAccount, makeUser } from '../setup/fixtures.js';
import { act } from '../setup/ledger.js';

let db: TestDb;
beforeAll(async () => {
  db = await createTestDb();
});
afterAll(async () => {
  expect((await verifyLedger(db.pool)).violations).toEqual([]);
  await db.drop();
});

// The objects exactly as API v1.2 answered them (its schemas: additionalProperties false).
const V12 = {
  transfer: ['amount', 'created_at', 'from_account_id', 'id', 'to_account_id'],
  from_account: ['balance', 'created_at', 'currency', 'id', 'owner'],
  entry: ['account_id', 'amount', 'created_at', 'id', 'transfer_id'],
};
const keysOf = (o: object) => Object.keys(o).sort();

async function parties() {
  const u = await makeUser(db.pool, 'roll');
  const from = await makeAccount(db.pool, u, 'USD', 1_000);
  const to = await makeAccount(db.pool, await makeUser(db.pool, 'rolm'), 'USD');
  return { u, from: from.id, to: to.id };
}

it("v1.2's call (ledger_batch) moves money under this release's rules and answers in v1.2's shape", async () => {
  const p = await parties();
  const items = [
    { kind: 'transfer', from_account_id: p.from, to_account_id: p.to, amount: 100, currency: 'USD', acting_owner: p.u },
    { kind: 'transfer', from_account_id: p.from, to_account_id: p.to, amount: 5_000, currency: 'USD', acting_owner: p.u },
    { kind: 'deposit', account_id: p.to, amount: 7 },
  ];
  const { rows } = await db.pool.query('SELECT * FROM ledger_batch($1::jsonb, 86400000)', [JSON.stringify(items)]);
  expect(rows.map((r) => [r.status, r.code])).toEqual([
    [201, null],
    [422, 'insufficient_funds'],
    [201, null],
  ]);
  for (const r of [rows[0], rows[2]]) {
    expect(keysOf(r.result)).toEqual(['from_account', 'from_entry', 'to_entry', 'transfer']);
    expect(keysOf(r.result.transfer)).toEqual(V12.transfer);
    expect(keysOf(r.result.from_account)).toEqual(V12.from_account);
    expect(keysOf(r.result.from_entry)).toEqual(V12.entry);
    expect(keysOf(r.result.to_entry)).toEqual(V12.entry);
  }
  expect(rows[0].result.from_account.balance).toBe(900);
});

it("a hold made by this release still counts against a v1.2 pod's transfer (the rules are this release's)", async () => {
  const p = await parties();
  await act(db.pool, {
    kind: 'transfer',
    fromAccountId: p.from,
    toAccountId: p.to,
    amount: asCents(950),
    currency: 'USD',
    hold: { timeoutSeconds: 60 },
  });
  const { rows } = await db.pool.query('SELECT * FROM ledger_batch($1::jsonb, 86400000)', [
    JSON.stringify([{ kind: 'transfer', from_account_id: p.from, to_account_id: p.to, amount: 100, currency: 'USD' }]),
  ]);
  expect([rows[0].status, rows[0].code]).toEqual([422, 'insufficient_funds']);
});

it("a key first used by this release replays to a v1.2 pod in v1.2's shape", async () => {
  const p = await parties();
  const claim = { username: p.u, key: 'roll-1', fingerprint: Buffer.from('same request') };
  const first = await act(
    db.pool,
    { kind: 'transfer', fromAccountId: p.from, toAccountId: p.to, amount: asCents(10), currency: 'USD', reference: 'r-1' },
    claim,
  );
  expect(first).toMatchObject({ ok: true, result: { transfer: { reference: 'r-1', status: 'posted' } } });
  const item = {
    kind: 'transfer',
    from_account_id: p.from,
    to_account_id: p.to,
    amount: 10,
    currency: 'USD',
    reference: 'r-1',
    key_user: p.u,
    key: 'roll-1',
    fingerprint: `\\x${Buffer.from('same request').toString('hex')}`,
  };
  const { rows } = await db.pool.query('SELECT * FROM ledger_batch($1::jsonb, 86400000)', [JSON.stringify([item])]);
  expect([rows[0].status, rows[0].replayed]).toEqual([201, true]);
  expect(keysOf(rows[0].result.transfer)).toEqual(V12.transfer);
  expect(rows[0].result.transfer.id).toBe(first.ok ? first.result.transfer.id : -1);
});

it("v1.1's call (transfer_tx_batch, parallel arrays) still moves money", async () => {
  const p = await parties();
  const { rows } = await db.pool.query(
    `SELECT * FROM transfer_tx_batch(ARRAY['transfer'], ARRAY[$1::bigint], ARRAY[$2::bigint], ARRAY[25::bigint], ARRAY['USD'],
       ARRAY[$3::text], ARRAY[''], ARRAY[''], ARRAY[''::bytea], 86400000)`,
    [p.from, p.to, p.u],
  );
  expect([rows[0].status, rows[0].result.from_account.balance]).toEqual([201, 975]);
  expect(keysOf(rows[0].result.transfer)).toEqual(V12.transfer);
});
