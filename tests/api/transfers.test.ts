// POST /transfers, GET /transfers/{id}, POST /deposits, POST /withdrawals: every status in the contract.
import { createTestApp, depositAs, expectProblem, openAccount, signUp, snapshot, type TestApp, type TestUser } from '../setup/app.js';

let t: TestApp;
let alice: TestUser;
let bob: TestUser;
let banker: TestUser;
let aliceUsd: number;
let aliceEur: number;
let bobUsd: number;
let bobEur: number;

beforeAll(async () => {
  t = await createTestApp();
  alice = await signUp(t, { prefix: 'alice' });
  bob = await signUp(t, { prefix: 'bob' });
  banker = await signUp(t, { prefix: 'banker', banker: true });
  aliceUsd = (await openAccount(t, alice, 'USD')).id;
  aliceEur = (await openAccount(t, alice, 'EUR')).id;
  bobUsd = (await openAccount(t, bob, 'USD')).id;
  bobEur = (await openAccount(t, bob, 'EUR')).id;
  await depositAs(t, banker, aliceUsd, 10_000);
  await depositAs(t, banker, aliceEur, 500);
});
afterAll(async () => {
  await t.close();
});

const post = (url: string, user: TestUser | null, payload: unknown, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'POST', url, headers: { ...(user ? user.auth : {}), ...headers }, payload: payload as object });

describe('POST /transfers', () => {
  it('201: moves the money and returns the transfer, the sender account and both entries — not the receiver account', async () => {
    const res = await post('/transfers', alice, { from_account_id: aliceUsd, to_account_id: bobUsd, amount: 1_250, currency: 'USD' });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(Object.keys(body).sort()).toEqual(['from_account', 'from_entry', 'to_entry', 'transfer']);
    expect(body.transfer).toMatchObject({ from_account_id: aliceUsd, to_account_id: bobUsd, amount: 1_250 });
    expect(body.from_account).toMatchObject({ id: aliceUsd, owner: alice.username, balance: 8_750, currency: 'USD' });
    expect(body.from_entry).toMatchObject({ account_id: aliceUsd, amount: -1_250, transfer_id: body.transfer.id });
    expect(body.to_entry).toMatchObject({ account_id: bobUsd, amount: 1_250, transfer_id: body.transfer.id });
    expect(JSON.stringify(body)).not.toContain(bob.username);
    const bobView = await t.app.inject({ method: 'GET', url: `/accounts/${bobUsd}`, headers: bob.auth });
    expect(bobView.json().balance).toBe(1_250);
  });

  const valid = () => ({ from_account_id: aliceUsd, to_account_id: bobUsd, amount: 10, currency: 'USD' });
  const badBodies: [string, () => unknown, string][] = [
    ['amount as a float', () => ({ ...valid(), amount: 1.5 }), 'amount'],
    ['amount as a string', () => ({ ...valid(), amount: '10' }), 'amount'],
    ['amount zero', () => ({ ...valid(), amount: 0 }), 'amount'],
    ['amount negative', () => ({ ...valid(), amount: -10 }), 'amount'],
    ['amount 2^53', () => ({ ...valid(), amount: 2 ** 53 }), 'amount'],
    ['amount 2^63', () => ({ ...valid(), amount: 2 ** 63 }), 'amount'],
    ['amount missing', () => ({ from_account_id: aliceUsd, to_account_id: bobUsd, currency: 'USD' }), 'amount'],
    ['currency lower-case', () => ({ ...valid(), currency: 'usd' }), 'currency'],
    ['currency unsupported', () => ({ ...valid(), currency: 'GBP' }), 'currency'],
    ['from_account_id as a string', () => ({ ...valid(), from_account_id: String(aliceUsd) }), 'from_account_id'],
    ['to_account_id zero', () => ({ ...valid(), to_account_id: 0 }), 'to_account_id'],
    ['an unknown field', () => ({ ...valid(), memo: 'hi' }), 'memo'],
    ['an array body', () => [valid()], 'body'],
  ];
  it.each(badBodies)('400 for %s, naming the field, writing nothing', async (_name, body, field) => {
    const before = await snapshot(t);
    const res = await post('/transfers', alice, body());
    const problem = expectProblem(res, 400, 'validation_failed');
    expect(problem.errors.map((e: { field: string }) => e.field)).toContain(field);
    expect(await snapshot(t)).toEqual(before);
  });

  it('400 for a body that is not JSON, and 415 for another content type', async () => {
    const bad = await t.app.inject({
      method: 'POST',
      url: '/transfers',
      headers: { ...alice.auth, 'content-type': 'application/json' },
      payload: '{"amount": ',
    });
    expectProblem(bad, 400, 'validation_failed');
    const form = await t.app.inject({
      method: 'POST',
      url: '/transfers',
      headers: { ...alice.auth, 'content-type': 'text/plain' },
      payload: 'amount=1',
    });
    expectProblem(form, 415, 'unsupported_media_type');
  });

  it('401 without a token, writing nothing', async () => {
    const before = await snapshot(t);
    expectProblem(await post('/transfers', null, valid()), 401, 'unauthenticated');
    expect(await snapshot(t)).toEqual(before);
  });

  const refusals: [string, () => [TestUser, unknown], number, string][] = [
    [
      "403 when the from-account is someone else's",
      () => [bob, { from_account_id: aliceUsd, to_account_id: bobUsd, amount: 10, currency: 'USD' }],
      403,
      'forbidden',
    ],
    [
      '404 when the from-account does not exist',
      () => [alice, { from_account_id: 987_654, to_account_id: bobUsd, amount: 10, currency: 'USD' }],
      404,
      'not_found',
    ],
    [
      '404 when the to-account does not exist',
      () => [alice, { from_account_id: aliceUsd, to_account_id: 987_654, amount: 10, currency: 'USD' }],
      404,
      'not_found',
    ],
    [
      '422 currency_mismatch with the to-account',
      () => [alice, { from_account_id: aliceUsd, to_account_id: bobEur, amount: 10, currency: 'USD' }],
      422,
      'currency_mismatch',
    ],
    [
      '422 currency_mismatch with the from-account',
      () => [alice, { from_account_id: aliceEur, to_account_id: bobUsd, amount: 10, currency: 'USD' }],
      422,
      'currency_mismatch',
    ],
    [
      '422 same_account',
      () => [alice, { from_account_id: aliceUsd, to_account_id: aliceUsd, amount: 10, currency: 'USD' }],
      422,
      'same_account',
    ],
    [
      '422 insufficient_funds',
      () => [alice, { from_account_id: aliceEur, to_account_id: bobEur, amount: 501, currency: 'EUR' }],
      422,
      'insufficient_funds',
    ],
  ];
  it.each(refusals)('%s, writing nothing', async (_name, make, status, code) => {
    const [user, body] = make();
    const before = await snapshot(t);
    expectProblem(await post('/transfers', user, body), status, code);
    expect(await snapshot(t)).toEqual(before);
  });
});

describe('GET /transfers/{id}', () => {
  let transferId: number;
  beforeAll(async () => {
    const res = await post('/transfers', alice, { from_account_id: aliceEur, to_account_id: bobEur, amount: 5, currency: 'EUR' });
    transferId = res.json().transfer.id;
  });

  it('200 for the sender and for the receiver', async () => {
    for (const user of [alice, bob]) {
      const res = await t.app.inject({ method: 'GET', url: `/transfers/${transferId}`, headers: user.auth });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({
        id: transferId,
        from_account_id: aliceEur,
        to_account_id: bobEur,
        amount: 5,
        status: 'posted',
        posted_amount: 5,
        expires_at: null,
        reference: null,
        metadata: {},
        reverses_transfer_id: null,
        created_at: expect.any(String),
      });
    }
  });
  it('403 for a user on neither side', async () => {
    expectProblem(await t.app.inject({ method: 'GET', url: `/transfers/${transferId}`, headers: banker.auth }), 403, 'forbidden');
  });
  it('404 for an unknown id', async () => {
    expectProblem(await t.app.inject({ method: 'GET', url: '/transfers/99999999', headers: alice.auth }), 404, 'not_found');
  });
  it.each(['abc', '0', '-1', '1.5', '99999999999999999999'])('400 for id %s', async (id) => {
    const body = expectProblem(
      await t.app.inject({ method: 'GET', url: `/transfers/${id}`, headers: alice.auth }),
      400,
      'validation_failed',
    );
    expect(body.errors[0].field).toBe('id');
  });
  it('401 without a token', async () => {
    expectProblem(await t.app.inject({ method: 'GET', url: `/transfers/${transferId}` }), 401, 'unauthenticated');
  });
});

describe.each([
  ['/deposits', 1],
  ['/withdrawals', -1],
] as const)('POST %s', (url, sign) => {
  it('201 as a banker: moves money between the account and the funding account', async () => {
    const before = (await t.app.inject({ method: 'GET', url: `/accounts/${aliceUsd}`, headers: alice.auth })).json().balance;
    const res = await post(url, banker, { account_id: aliceUsd, amount: 100 });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    const customerEntry = sign > 0 ? body.to_entry : body.from_entry;
    expect(customerEntry).toMatchObject({ account_id: aliceUsd, amount: sign * 100 });
    const after = (await t.app.inject({ method: 'GET', url: `/accounts/${aliceUsd}`, headers: alice.auth })).json().balance;
    expect(after - before).toBe(sign * 100);
  });
  it('403 for a depositor, writing nothing', async () => {
    const before = await snapshot(t);
    expectProblem(await post(url, alice, { account_id: aliceUsd, amount: 100 }), 403, 'forbidden');
    expect(await snapshot(t)).toEqual(before);
  });
  it('404 for an unknown account', async () => {
    expectProblem(await post(url, banker, { account_id: 123_456_789, amount: 100 }), 404, 'not_found');
  });
  it.each([
    ['amount 0', { account_id: 1, amount: 0 }, 'amount'],
    ['amount float', { account_id: 1, amount: 0.5 }, 'amount'],
    ['missing account_id', { amount: 5 }, 'account_id'],
    ['extra field', { account_id: 1, amount: 5, currency: 'USD' }, 'currency'],
  ])('400 for %s', async (_n, body, field) => {
    const problem = expectProblem(await post(url, banker, body), 400, 'validation_failed');
    expect(problem.errors.map((e: { field: string }) => e.field)).toContain(field);
  });
  it('401 without a token', async () => {
    expectProblem(await post(url, null, { account_id: aliceUsd, amount: 100 }), 401, 'unauthenticated');
  });
});

it('POST /withdrawals: 422 insufficient_funds beyond the balance, writing nothing', async () => {
  const before = await snapshot(t);
  expectProblem(await post('/withdrawals', banker, { account_id: bobEur, amount: 1_000_000 }), 422, 'insufficient_funds');
  expect(await snapshot(t)).toEqual(before);
});
