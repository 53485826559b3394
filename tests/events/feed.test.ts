// GET /events: what each caller sees, in order, paged with `after`, and the long-poll.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createTestApp, depositAs, expectProblem, openAccount, signUp, type TestApp, type TestUser } from '../setup/app.js';

let t: TestApp;
let banker: TestUser;
let alice: TestUser;
let bob: TestUser;
let carol: TestUser;
let aliceAcct: number;
let bobAcct: number;

beforeAll(async () => {
  t = await createTestApp();
  banker = await signUp(t, { banker: true, prefix: 'banker' });
  alice = await signUp(t, { prefix: 'alice' });
  bob = await signUp(t, { prefix: 'bob' });
  carol = await signUp(t, { prefix: 'carol' });
  aliceAcct = (await openAccount(t, alice)).id;
  bobAcct = (await openAccount(t, bob)).id;
  await depositAs(t, banker, aliceAcct, 10_000);
});
afterAll(async () => {
  await t.close();
});

async function events(user: TestUser, query = '') {
  const res = await t.app.inject({ method: 'GET', url: `/events${query}`, headers: user.auth });
  expect(res.statusCode).toBe(200);
  return res.json() as { items: { id: string; sequence: number; type: string; created_at: string; data: any }[]; next_after: number };
}

/** Pages with `after` until a page comes back empty. */
async function all(user: TestUser, limit = 2) {
  const seen = [];
  let after = 0;
  for (;;) {
    const page = await events(user, `?after=${after}&limit=${limit}`);
    if (page.items.length === 0) {
      expect(page.next_after).toBe(after);
      return seen;
    }
    seen.push(...page.items);
    after = page.next_after;
    expect(after).toBe(page.items[page.items.length - 1]!.sequence);
  }
}

/** Until `pred` holds of the caller's events (they are numbered just after commit). */
async function eventually(user: TestUser, pred: (items: Awaited<ReturnType<typeof all>>) => boolean) {
  for (let i = 0; i < 100; i++) {
    const items = await all(user, 1000);
    if (pred(items)) return items;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the events never appeared');
}

describe('GET /events', () => {
  test('each side sees its own: account events by the owner, a transfer by both sides, a banker everything', async () => {
    const sent = await t.app.inject({
      method: 'POST',
      url: '/transfers',
      headers: alice.auth,
      payload: { from_account_id: aliceAcct, to_account_id: bobAcct, amount: 700, currency: 'USD', reference: 'inv-1' },
    });
    expect(sent.statusCode).toBe(201);
    const transferId = sent.json().transfer.id;
    const held = await t.app.inject({
      method: 'POST',
      url: '/transfers',
      headers: alice.auth,
      payload: { from_account_id: aliceAcct, to_account_id: bobAcct, amount: 50, currency: 'USD', pending: true },
    });
    expect(held.statusCode).toBe(201);
    const holdId = held.json().transfer.id;
    expect((await t.app.inject({ method: 'POST', url: `/transfers/${holdId}/void`, headers: bob.auth })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'POST', url: `/accounts/${bobAcct}/freeze`, headers: banker.auth })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'POST', url: `/accounts/${bobAcct}/freeze`, headers: banker.auth })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'POST', url: `/accounts/${bobAcct}/unfreeze`, headers: banker.auth })).statusCode).toBe(200);

    const a = await eventually(alice, (xs) => xs.some((e) => e.type === 'transfer.voided'));
    expect(a.map((e) => e.type)).toEqual(['account.opened', 'transfer.posted', 'transfer.posted', 'transfer.pending', 'transfer.voided']);
    expect(a[0]!.data.account).toMatchObject({ id: aliceAcct, owner: alice.username, balance: 0, status: 'open' });
    expect(a[1]!.data.transfer).toMatchObject({ to_account_id: aliceAcct, amount: 10_000, status: 'posted' });
    expect(a[2]!.data.transfer).toEqual(sent.json().transfer);
    expect(a[3]!.data.transfer).toMatchObject({ id: holdId, status: 'pending', posted_amount: 0 });
    expect(a[4]!.data.transfer).toMatchObject({ id: holdId, status: 'voided' });
    for (const e of a) {
      expect(e.id).toBe(`evt_${e.sequence}`);
      expect(e.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    }

    // bob: his account's events (a freeze that changed nothing is not one), and the transfers to him.
    const b = await eventually(bob, (xs) => xs.some((e) => e.type === 'account.unfrozen'));
    expect(b.map((e) => e.type)).toEqual([
      'account.opened',
      'transfer.posted',
      'transfer.pending',
      'transfer.voided',
      'account.frozen',
      'account.unfrozen',
    ]);
    expect(b[1]!.data.transfer.id).toBe(transferId);
    expect(b.some((e) => e.data.account?.owner === alice.username)).toBe(false);

    // carol: nothing of anyone else's.
    expect(await all(carol)).toEqual([]);

    // The banker: every event, ascending, no gap between the sequences of this database.
    const all_ = await eventually(banker, (xs) => xs.some((e) => e.type === 'account.unfrozen'));
    expect(all_).toHaveLength(8);
    const seqs = all_.map((e) => e.sequence);
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    expect(seqs).toEqual(seqs.map((_, i) => seqs[0]! + i));
    for (const e of [...a, ...b]) expect(all_.map((x) => x.id)).toContain(e.id);
  });

  test('a replayed request (same Idempotency-Key) and a refusal append nothing', async () => {
    const before = (await all(banker, 1000)).length;
    const headers = { ...alice.auth, 'idempotency-key': 'evt-key-1' };
    const payload = { from_account_id: aliceAcct, to_account_id: bobAcct, amount: 5, currency: 'USD' };
    expect((await t.app.inject({ method: 'POST', url: '/transfers', headers, payload })).statusCode).toBe(201);
    expect((await t.app.inject({ method: 'POST', url: '/transfers', headers, payload })).statusCode).toBe(201);
    const refused = await t.app.inject({
      method: 'POST',
      url: '/transfers',
      headers: alice.auth,
      payload: { ...payload, amount: 10 ** 12 },
    });
    expectProblem(refused, 422, 'insufficient_funds');
    const after = await eventually(banker, (xs) => xs.length >= before + 1);
    await new Promise((r) => setTimeout(r, 300));
    expect((await all(banker, 1000)).length).toBe(before + 1);
    expect(after[after.length - 1]!.data.transfer.amount).toBe(5);
  });

  test('long-poll: a waiter is answered when an event it may see commits, not by others', async () => {
    const last = (await eventually(bob, (xs) => xs.length > 0)).at(-1)!.sequence;
    const carolLast = (await events(carol)).next_after;
    const bobWaits = t.app.inject({ method: 'GET', url: `/events?after=${last}&wait=20`, headers: bob.auth });
    const carolWaits = t.app.inject({ method: 'GET', url: `/events?after=${carolLast}&wait=2`, headers: carol.auth });
    await new Promise((r) => setTimeout(r, 200));
    const sent = await t.app.inject({
      method: 'POST',
      url: '/transfers',
      headers: alice.auth,
      payload: { from_account_id: aliceAcct, to_account_id: bobAcct, amount: 11, currency: 'USD' },
    });
    expect(sent.statusCode).toBe(201);
    const b = await bobWaits;
    expect(b.statusCode).toBe(200);
    expect(b.json().items.map((e: any) => e.data.transfer.id)).toEqual([sent.json().transfer.id]);
    const c = await carolWaits;
    expect(c.json()).toEqual({ items: [], next_after: carolLast });
  });

  test('bad parameters are 400 naming the parameter; no token is 401', async () => {
    for (const [q, field] of [
      ['?limit=0', 'limit'],
      ['?limit=1001', 'limit'],
      ['?wait=31', 'wait'],
      ['?after=-1', 'after'],
      ['?after=1.5', 'after'],
      ['?after=abc', 'after'],
    ] as const) {
      const res = await t.app.inject({ method: 'GET', url: `/events${q}`, headers: alice.auth });
      const body = expectProblem(res, 400, 'validation_failed');
      expect(JSON.stringify(body.errors ?? body.detail)).toContain(field);
    }
    expectProblem(await t.app.inject({ method: 'GET', url: '/events' }), 401, 'unauthenticated');
  });
});
