// POST /accounts, GET /accounts/{id}, GET /accounts, GET /accounts/{id}/entries.
import { createTestApp, depositAs, expectProblem, openAccount, signUp, snapshot, type TestApp, type TestUser } from '../setup/app.js';

let t: TestApp;
let alice: TestUser;
let bob: TestUser;
let banker: TestUser;
beforeAll(async () => {
  t = await createTestApp();
  alice = await signUp(t, { prefix: 'alice' });
  bob = await signUp(t, { prefix: 'bob' });
  banker = await signUp(t, { prefix: 'banker', banker: true });
});
afterAll(async () => {
  await t.close();
});

const get = (url: string, user: TestUser | null) => t.app.inject({ method: 'GET', url, headers: user ? user.auth : {} });

describe('POST /accounts', () => {
  it("201: owned by the token's user, balance 0", async () => {
    const res = await t.app.inject({ method: 'POST', url: '/accounts', headers: alice.auth, payload: { currency: 'CAD' } });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({
      id: expect.any(Number),
      owner: alice.username,
      balance: 0,
      currency: 'CAD',
      status: 'open',
      pending_debits: 0,
      pending_credits: 0,
      available_balance: 0,
      created_at: expect.any(String),
    });
  });
  it('409 account_exists for a second account in the same currency', async () => {
    await openAccount(t, bob, 'CAD');
    const before = await snapshot(t);
    expectProblem(
      await t.app.inject({ method: 'POST', url: '/accounts', headers: bob.auth, payload: { currency: 'CAD' } }),
      409,
      'account_exists',
    );
    expect(await snapshot(t)).toEqual(before);
  });
  it.each([
    ['lower-case currency', { currency: 'usd' }],
    ['unsupported currency', { currency: 'XYZ' }],
    ['no currency', {}],
    ['an owner in the body', { currency: 'USD', owner: 'someone_else' }],
    ['a balance in the body', { currency: 'USD', balance: 100 }],
  ])('400 for %s, creating nothing', async (_n, body) => {
    const before = await snapshot(t);
    expectProblem(await t.app.inject({ method: 'POST', url: '/accounts', headers: alice.auth, payload: body }), 400, 'validation_failed');
    expect(await snapshot(t)).toEqual(before);
  });
  it('an unknown currency is refused naming the currencies there are', async () => {
    const body = expectProblem(
      await t.app.inject({ method: 'POST', url: '/accounts', headers: alice.auth, payload: { currency: 'XYZ' } }),
      400,
      'validation_failed',
    );
    expect(body.errors).toEqual([{ field: 'currency', message: 'must be one of USD, EUR, CAD' }]);
    expect(body.detail).toBe('currency must be one of USD, EUR, CAD');
  });
  it('401 without a token', async () => {
    expectProblem(await t.app.inject({ method: 'POST', url: '/accounts', payload: { currency: 'USD' } }), 401, 'unauthenticated');
  });
});

describe('GET /accounts/{id}', () => {
  let id: number;
  beforeAll(async () => {
    id = (await openAccount(t, alice, 'EUR')).id;
  });
  it('200 for the owner', async () => {
    const res = await get(`/accounts/${id}`, alice);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id, owner: alice.username, currency: 'EUR', balance: 0 });
  });
  it("403 for anyone else, the bank's funding accounts included", async () => {
    expectProblem(await get(`/accounts/${id}`, bob), 403, 'forbidden');
    const { rows } = await t.db.pool.query('SELECT id FROM accounts WHERE is_funding LIMIT 1');
    expectProblem(await get(`/accounts/${rows[0].id}`, banker), 403, 'forbidden');
  });
  it('404 for an unknown id', async () => {
    expectProblem(await get('/accounts/77777777', alice), 404, 'not_found');
  });
  it.each(['x', '0', '-3', '2.5'])('400 for id %s', async (bad) => {
    expectProblem(await get(`/accounts/${bad}`, alice), 400, 'validation_failed');
  });
  it('401 without a token', async () => {
    expectProblem(await get(`/accounts/${id}`, null), 401, 'unauthenticated');
  });
});

describe('GET /accounts', () => {
  it("200: only the caller's accounts, by id, paged", async () => {
    const carol = await signUp(t, { prefix: 'carol' });
    const ids = [(await openAccount(t, carol, 'USD')).id, (await openAccount(t, carol, 'EUR')).id, (await openAccount(t, carol, 'CAD')).id];
    await openAccount(t, bob, 'USD');
    const all = (await get('/accounts', carol)).json();
    expect(all.map((a: { id: number }) => a.id)).toEqual(ids);
    expect(all.every((a: { owner: string }) => a.owner === carol.username)).toBe(true);
    expect((await get('/accounts?page_id=1&page_size=2', carol)).json().map((a: { id: number }) => a.id)).toEqual(ids.slice(0, 2));
    expect((await get('/accounts?page_id=2&page_size=2', carol)).json().map((a: { id: number }) => a.id)).toEqual(ids.slice(2));
    expect((await get('/accounts?page_id=3&page_size=2', carol)).json()).toEqual([]);
  });
  it.each(['page_id=0', 'page_size=0', 'page_size=101', 'page_id=abc', 'page_size=1.5', 'sort=id'])('400 for %s', async (q) => {
    expectProblem(await get(`/accounts?${q}`, alice), 400, 'validation_failed');
  });
  it('401 without a token', async () => {
    expectProblem(await get('/accounts', null), 401, 'unauthenticated');
  });
});

describe('GET /accounts/{id}/entries', () => {
  let dave: TestUser;
  let accountId: number;
  beforeAll(async () => {
    dave = await signUp(t, { prefix: 'dave' });
    accountId = (await openAccount(t, dave, 'USD')).id;
    for (let i = 1; i <= 7; i++) await depositAs(t, banker, accountId, i * 100);
  });

  it('200: newest first, keyset pages that cover every entry once, next_cursor null at the end', async () => {
    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await get(`/accounts/${accountId}/entries?limit=3${cursor ? `&cursor=${cursor}` : ''}`, dave);
      expect(res.statusCode).toBe(200);
      const body = res.json();
      seen.push(...body.items.map((e: { amount: number }) => e.amount));
      for (const e of body.items) expect(e.account_id).toBe(accountId);
      cursor = body.next_cursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual([700, 600, 500, 400, 300, 200, 100]);
  });
  it("200: pages follow the entries' time, then id, and stay whole when the clock stepped back", async () => {
    // The listing is ordered by (created_at, id), the order of the one index of an account's entries.
    // A server clock that stepped back leaves an entry older than its id says: every entry is still
    // listed exactly once, in time order, across page boundaries.
    const erin = await signUp(t, { prefix: 'erin' });
    const id = (await openAccount(t, erin, 'USD')).id;
    for (let i = 1; i <= 6; i++) await depositAs(t, banker, id, i * 100);
    await t.db.pool.query(`UPDATE entries SET created_at = created_at - interval '1 hour' WHERE account_id = $1 AND amount IN (500, 600)`, [
      id,
    ]);
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const body: { items: { amount: number }[]; next_cursor: string | null } = (
        await get(`/accounts/${id}/entries?limit=2${cursor ? `&cursor=${cursor}` : ''}`, erin)
      ).json();
      seen.push(...body.items.map((e: { amount: number }) => e.amount));
      cursor = body.next_cursor;
    } while (cursor);
    expect(seen).toEqual([400, 300, 200, 100, 600, 500]);
  });
  it('200 with the default limit and an exact last page', async () => {
    const body = (await get(`/accounts/${accountId}/entries`, dave)).json();
    expect(body.items).toHaveLength(7);
    expect(body.next_cursor).toBeNull();
    expect((await get(`/accounts/${accountId}/entries?limit=7`, dave)).json().next_cursor).toBeNull();
  });
  it("403 for someone else's account", async () => {
    expectProblem(await get(`/accounts/${accountId}/entries`, alice), 403, 'forbidden');
  });
  it('404 for an unknown account', async () => {
    expectProblem(await get('/accounts/55555555/entries', dave), 404, 'not_found');
  });
  it.each(['limit=0', 'limit=101', 'cursor=not-a-cursor', `cursor=${Buffer.from('e1:-5').toString('base64url')}`])(
    '400 for %s',
    async (q) => {
      const problem = expectProblem(await get(`/accounts/${accountId}/entries?${q}`, dave), 400, 'validation_failed');
      expect(problem.errors[0].field).toBe(q.split('=')[0]);
    },
  );
  it('401 without a token', async () => {
    expectProblem(await get(`/accounts/${accountId}/entries`, null), 401, 'unauthenticated');
  });
});
