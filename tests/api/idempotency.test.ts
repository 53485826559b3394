// Idempotency-Key on POST /transfers, /deposits and /withdrawals, against real Postgres.
import { deleteExpiredKeys } from '../../src/transfers/idempotency.js';
import { createTestApp, depositAs, expectProblem, openAccount, signUp, snapshot, type TestApp, type TestUser } from '../setup/app.js';

let t: TestApp;
let alice: TestUser;
let bob: TestUser;
let banker: TestUser;
let a: number;
let b: number;
beforeAll(async () => {
  t = await createTestApp({ poolSize: 24 });
  alice = await signUp(t, { prefix: 'alice' });
  bob = await signUp(t, { prefix: 'bob' });
  banker = await signUp(t, { prefix: 'banker', banker: true });
  a = (await openAccount(t, alice, 'USD')).id;
  b = (await openAccount(t, bob, 'USD')).id;
  await depositAs(t, banker, a, 100_000);
});
afterAll(async () => {
  await t.close();
});

const keyed = (user: TestUser, key: string, url: string, payload: object) =>
  t.app.inject({ method: 'POST', url, headers: { ...user.auth, 'idempotency-key': key }, payload });
const transferBody = (amount: number) => ({ from_account_id: a, to_account_id: b, amount, currency: 'USD' });

it('same key and body: the stored status and body, Idempotent-Replayed: true, and no money moved', async () => {
  const first = await keyed(alice, 'pay-rent-1', '/transfers', transferBody(1_000));
  expect(first.statusCode).toBe(201);
  expect(first.headers['idempotent-replayed']).toBeUndefined();
  const before = await snapshot(t);
  const again = await keyed(alice, 'pay-rent-1', '/transfers', { currency: 'USD', amount: 1_000, to_account_id: b, from_account_id: a });
  expect(again.statusCode).toBe(201);
  expect(again.headers['idempotent-replayed']).toBe('true');
  expect(again.body).toBe(first.body); // byte for byte
  expect(await snapshot(t)).toEqual(before);
});

it('same key, another body: 422 idempotency_key_reused, nothing moved', async () => {
  await keyed(alice, 'pay-rent-2', '/transfers', transferBody(10));
  const before = await snapshot(t);
  expectProblem(await keyed(alice, 'pay-rent-2', '/transfers', transferBody(11)), 422, 'idempotency_key_reused');
  expect(await snapshot(t)).toEqual(before);
  // The same body on another route is another request too.
  await keyed(banker, 'till-1', '/deposits', { account_id: a, amount: 10 });
  const later = await snapshot(t);
  expectProblem(await keyed(banker, 'till-1', '/withdrawals', { account_id: a, amount: 10 }), 422, 'idempotency_key_reused');
  expect(await snapshot(t)).toEqual(later);
});

it("keys are scoped to the caller: another user's identical key runs on its own", async () => {
  const c = (await openAccount(t, bob, 'EUR')).id;
  await depositAs(t, banker, c, 500);
  const mine = await keyed(alice, 'shared-key', '/transfers', transferBody(5));
  const theirs = await keyed(bob, 'shared-key', '/withdrawals', { account_id: c, amount: 5 });
  expect(mine.statusCode).toBe(201);
  expectProblem(theirs, 403, 'forbidden'); // bob is no banker: refused, and not stored
  const bankers = await keyed(banker, 'shared-key', '/withdrawals', { account_id: c, amount: 5 });
  expect(bankers.statusCode).toBe(201);
  expect(bankers.headers['idempotent-replayed']).toBeUndefined();
});

it('a 422 rule refusal is stored and replayed, even once the rule would pass', async () => {
  const first = await keyed(alice, 'too-much', '/transfers', transferBody(10_000_000));
  expectProblem(first, 422, 'insufficient_funds');
  await depositAs(t, banker, a, 10_000_000);
  const before = await snapshot(t);
  const again = await keyed(alice, 'too-much', '/transfers', transferBody(10_000_000));
  expectProblem(again, 422, 'insufficient_funds');
  expect(again.headers['idempotent-replayed']).toBe('true');
  expect(again.body).toBe(first.body);
  expect(await snapshot(t)).toEqual(before);
});

it('a refusal that is not a committed outcome (404) is not stored: the retry runs', async () => {
  const ghost = { from_account_id: a, to_account_id: 99_999_999, amount: 1, currency: 'USD' };
  expectProblem(await keyed(alice, 'retry-after-404', '/transfers', ghost), 404, 'not_found');
  const { rows } = await t.db.pool.query("SELECT count(*)::int AS n FROM idempotency_keys WHERE key = 'retry-after-404'");
  expect(rows[0].n).toBe(0);
  const ok = await keyed(alice, 'retry-after-404', '/transfers', transferBody(1));
  expect(ok.statusCode).toBe(201);
});

it('20 concurrent duplicates: exactly one transfer; the others replay it or answer 409 idempotency_key_in_use', async () => {
  const before = await snapshot(t);
  const answers = await Promise.all(Array.from({ length: 20 }, () => keyed(alice, 'burst-1', '/transfers', transferBody(77))));
  const statuses = answers.map((r) => r.statusCode);
  expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);
  for (const r of answers.filter((r) => r.statusCode === 409)) expectProblem(r, 409, 'idempotency_key_in_use');
  const created = answers.filter((r) => r.statusCode === 201);
  expect(created.length).toBeGreaterThanOrEqual(1);
  expect(new Set(created.map((r) => r.body)).size).toBe(1);
  expect(created.filter((r) => r.headers['idempotent-replayed'] !== 'true')).toHaveLength(1);
  const after = await snapshot(t);
  expect(Number(after.t) - Number(before.t)).toBe(1);
});

it('deposits and withdrawals honour keys too', async () => {
  const before = await snapshot(t);
  const d1 = await keyed(banker, 'dep-1', '/deposits', { account_id: b, amount: 300 });
  const d2 = await keyed(banker, 'dep-1', '/deposits', { account_id: b, amount: 300 });
  expect([d1.statusCode, d2.statusCode]).toEqual([201, 201]);
  expect(d2.body).toBe(d1.body);
  const w1 = await keyed(banker, 'wd-1', '/withdrawals', { account_id: b, amount: 100 });
  const w2 = await keyed(banker, 'wd-1', '/withdrawals', { account_id: b, amount: 100 });
  expect(w2.headers['idempotent-replayed']).toBe('true');
  expect(w2.body).toBe(w1.body);
  expect(Number((await snapshot(t)).t) - Number(before.t)).toBe(2);
});

it.each([
  ['empty', ''],
  ['over 255 characters', 'k'.repeat(256)],
])('400 for a key that is %s', async (_n, key) => {
  const before = await snapshot(t);
  const res = await keyed(alice, key, '/transfers', transferBody(1));
  const body = expectProblem(res, 400, 'validation_failed');
  expect(body.errors[0].field).toBe('idempotency-key');
  expect(await snapshot(t)).toEqual(before);
});

it('an expired key runs again, and the cleanup deletes expired keys only', async () => {
  await keyed(alice, 'old-key', '/transfers', transferBody(2));
  await keyed(alice, 'young-key', '/transfers', transferBody(2));
  await t.db.pool.query("UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = 'old-key'");
  const before = await snapshot(t);
  const rerun = await keyed(alice, 'old-key', '/transfers', transferBody(2));
  expect(rerun.headers['idempotent-replayed']).toBeUndefined();
  expect(Number((await snapshot(t)).t) - Number(before.t)).toBe(1);

  await t.db.pool.query("UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = 'old-key'");
  expect(await deleteExpiredKeys(t.db.pool, 24 * 3_600_000, 1)).toBe(1);
  const { rows } = await t.db.pool.query("SELECT key FROM idempotency_keys WHERE key IN ('old-key', 'young-key')");
  expect(rows.map((r) => r.key)).toEqual(['young-key']);
});
