// Money that waits and comes back over HTTP (API v1.3): the bodies a client sends (or does not send),
// the fields each refusal names, and what reads show of holds, states and history.
import { createTestApp, depositAs, expectProblem, openAccount, signUp, snapshot, type TestApp, type TestUser } from '../setup/app.js';

let t: TestApp;
let banker: TestUser;
let payer: TestUser;
let payee: TestUser;
let from: number;
let to: number;
beforeAll(async () => {
  t = await createTestApp();
  banker = await signUp(t, { prefix: 'hb', banker: true });
  payer = await signUp(t, { prefix: 'hp' });
  payee = await signUp(t, { prefix: 'hq' });
  from = (await openAccount(t, payer, 'USD')).id;
  to = (await openAccount(t, payee, 'USD')).id;
  await depositAs(t, banker, from, 10_000);
});
afterAll(async () => {
  await t.close();
});

const holdOf = async (amount: number, extra: object = {}) => {
  const res = await t.app.inject({
    method: 'POST',
    url: '/transfers',
    headers: payer.auth,
    payload: { from_account_id: from, to_account_id: to, amount, currency: 'USD', pending: true, ...extra },
  });
  expect(res.statusCode).toBe(201);
  return res.json().transfer.id as number;
};

describe('postings and voids need no body', () => {
  it.each([
    ['no body at all', {}, undefined],
    ['an empty body with a JSON content type (curl -X POST -H content-type)', { 'content-type': 'application/json' }, ''],
    ['{}', {}, {}],
  ])('%s: a post captures all of the hold, a void releases all', async (_name, headers, payload) => {
    const a = await holdOf(30);
    const post = await t.app.inject({
      method: 'POST',
      url: `/transfers/${a}/post`,
      headers: { ...payer.auth, ...headers },
      ...(payload === undefined ? {} : { payload }),
    });
    expect(post.statusCode).toBe(200);
    expect(post.json().transfer).toMatchObject({ status: 'posted', posted_amount: 30 });
    const b = await holdOf(5);
    const voided = await t.app.inject({
      method: 'POST',
      url: `/transfers/${b}/void`,
      headers: { ...payee.auth, ...headers },
      ...(payload === undefined ? {} : { payload }),
    });
    expect(voided.statusCode).toBe(200);
    expect(voided.json()).toMatchObject({ transfer: { status: 'voided', posted_amount: 0 }, from_entry: null, to_entry: null });
  });

  it('a route that needs a body still refuses an empty one', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/transfers',
      headers: { ...payer.auth, 'content-type': 'application/json' },
      payload: '',
    });
    expectProblem(res, 400, 'validation_failed');
  });
});

describe('every refused field is named, and nothing is written', () => {
  it.each([
    [{ timeout_seconds: 60 }, 'timeout_seconds'],
    [{ pending: true, timeout_seconds: 0 }, 'timeout_seconds'],
    [{ pending: true, timeout_seconds: 2_592_001 }, 'timeout_seconds'],
    [{ pending: 'yes' }, 'pending'],
    [{ reference: '' }, 'reference'],
    [{ reference: 'r'.repeat(129) }, 'reference'],
    [{ reference: 'bell\u0007' }, 'reference'],
    [{ metadata: { 'no spaces': 'v' } }, 'metadata'],
    [{ metadata: { k: 'v'.repeat(501) } }, 'metadata'],
    [{ metadata: { k: 1 } }, 'metadata'],
    [{ metadata: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, 'v'])) }, 'metadata'],
    [{ metadata: ['v'] }, 'metadata'],
  ])('%j → 400 naming %s', async (extra, field) => {
    const before = await snapshot(t);
    const res = await t.app.inject({
      method: 'POST',
      url: '/transfers',
      headers: payer.auth,
      payload: { from_account_id: from, to_account_id: to, amount: 1, currency: 'USD', ...extra },
    });
    expectProblem(res, 400, 'validation_failed');
    expect(res.json().errors.map((e: { field: string }) => e.field.split(/[./]/)[0])).toContain(field);
    expect(await snapshot(t)).toEqual(before);
  });

  it('a posting of more than the hold names amount; a reversal past posted_amount is 422 reversal_exceeds_amount', async () => {
    const h = await holdOf(10);
    const over = await t.app.inject({ method: 'POST', url: `/transfers/${h}/post`, headers: payer.auth, payload: { amount: 11 } });
    expectProblem(over, 422, 'amount_exceeds_pending');
    expect(over.json().errors).toEqual([{ field: 'amount', message: 'the hold is for 10' }]);
    const key = { ...payer.auth, 'idempotency-key': 'over-1' };
    const first = await t.app.inject({ method: 'POST', url: `/transfers/${h}/post`, headers: key, payload: { amount: 12 } });
    const replay = await t.app.inject({ method: 'POST', url: `/transfers/${h}/post`, headers: key, payload: { amount: 12 } });
    expect([replay.statusCode, replay.headers['idempotent-replayed'], replay.body]).toEqual([422, 'true', first.body]);
    const refund = await t.app.inject({ method: 'POST', url: `/transfers/${h}/reverse`, headers: payee.auth, payload: {} });
    expectProblem(refund, 422, 'reversal_exceeds_amount');
  });

  it('funding accounts can be neither frozen nor closed (403); only a banker freezes', async () => {
    const funding = (
      await t.app.inject({ method: 'POST', url: '/deposits', headers: banker.auth, payload: { account_id: to, amount: 1 } })
    ).json().transfer.from_account_id as number;
    for (const action of ['freeze', 'close']) {
      expectProblem(await t.app.inject({ method: 'POST', url: `/accounts/${funding}/${action}`, headers: banker.auth }), 403, 'forbidden');
    }
    expectProblem(await t.app.inject({ method: 'POST', url: `/accounts/${to}/freeze`, headers: payee.auth }), 403, 'forbidden');
  });
});

describe('what reads show', () => {
  it('a hold past its expiry reads as expired at once, on the transfer and in the account, before any job marks it', async () => {
    const h = await holdOf(100, { timeout_seconds: 1 });
    const account = async () => (await t.app.inject({ method: 'GET', url: `/accounts/${from}`, headers: payer.auth })).json();
    const held = await account();
    expect(held.pending_debits).toBeGreaterThanOrEqual(100);
    await new Promise((r) => setTimeout(r, 1_100));
    const read = await t.app.inject({ method: 'GET', url: `/transfers/${h}`, headers: payee.auth });
    expect(read.json()).toMatchObject({ status: 'expired', posted_amount: 0 });
    expect((await account()).pending_debits).toBe(held.pending_debits - 100);
    expectProblem(await t.app.inject({ method: 'POST', url: `/transfers/${h}/void`, headers: payer.auth }), 422, 'transfer_expired');
  });

  it('entries carry balance_after; the balance as of any moment follows them; 0 before the first', async () => {
    const acct = (await openAccount(t, payee, 'EUR')).id;
    const t0 = new Date().toISOString();
    await depositAs(t, banker, acct, 700);
    const t1 = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 5));
    await t.app.inject({ method: 'POST', url: '/withdrawals', headers: banker.auth, payload: { account_id: acct, amount: 200 } });
    const entries = (await t.app.inject({ method: 'GET', url: `/accounts/${acct}/entries`, headers: payee.auth })).json();
    expect(entries.items.map((e: { amount: number; balance_after: number }) => [e.amount, e.balance_after])).toEqual([
      [-200, 500],
      [700, 700],
    ]);
    const at = async (when?: string) =>
      (
        await t.app.inject({
          method: 'GET',
          url: `/accounts/${acct}/balance${when ? `?at=${encodeURIComponent(when)}` : ''}`,
          headers: payee.auth,
        })
      ).json();
    expect(await at(t0)).toMatchObject({ account_id: acct, currency: 'EUR', balance: 0, at: t0 });
    expect((await at(t1)).balance).toBe(700);
    expect((await at()).balance).toBe(500);
    expectProblem(
      await t.app.inject({ method: 'GET', url: `/accounts/${acct}/balance?at=tomorrow`, headers: payee.auth }),
      400,
      'validation_failed',
    );
  });
});
