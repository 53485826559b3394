// Safety v1.2 on HTTP: a charset other than UTF-8 is 415 (never decoded as UTF-8), and a body with a
// duplicate key is ambiguous — a money API refuses it (400 naming the key) rather than take the last.
import { jsonTextProblem } from '../../src/json-text.js';
import { createTestApp, depositAs, expectProblem, openAccount, signUp, snapshot, type TestApp, type TestUser } from '../setup/app.js';

let t: TestApp;
let payer: TestUser;
let from: number;
let to: number;
beforeAll(async () => {
  t = await createTestApp();
  const banker = await signUp(t, { banker: true, prefix: 'pb' });
  payer = await signUp(t, { prefix: 'pp' });
  const payee = await signUp(t, { prefix: 'pq' });
  from = (await openAccount(t, payer)).id;
  to = (await openAccount(t, payee)).id;
  await depositAs(t, banker, from, 1_000_000);
});
afterAll(async () => {
  await t.close();
});

const post = (payload: string, contentType = 'application/json') =>
  t.app.inject({ method: 'POST', url: '/transfers', headers: { ...payer.auth, 'content-type': contentType }, payload });

it.each(['application/json; charset=utf-16', 'application/json; charset=iso-8859-1', 'application/json; charset="utf-16le"'])(
  '%s is 415 unsupported_media_type, nothing moved',
  async (ct) => {
    const before = await snapshot(t);
    expectProblem(
      await post(`{"from_account_id":${from},"to_account_id":${to},"amount":1,"currency":"USD"}`, ct),
      415,
      'unsupported_media_type',
    );
    expect(await snapshot(t)).toEqual(before);
  },
);

it.each(['application/json; charset=utf-8', 'application/json; charset=UTF-8', 'application/json'])('%s is accepted', async (ct) => {
  expect((await post(`{"from_account_id":${from},"to_account_id":${to},"amount":1,"currency":"USD"}`, ct)).statusCode).toBe(201);
});

it('a duplicate key is 400 naming it, nothing moved', async () => {
  const before = await snapshot(t);
  const body = expectProblem(
    await post(`{"from_account_id":${from},"to_account_id":${to},"amount":1,"amount":100000,"currency":"USD"}`),
    400,
    'validation_failed',
  );
  expect(body.errors[0].field).toBe('amount');
  expect(await snapshot(t)).toEqual(before);
});

describe('the raw JSON scan', () => {
  it.each([
    ['{"a":{"amount":1},"b":{"amount":2}}', undefined],
    ['[{"amount":1},{"amount":2}]', undefined],
    ['{"note":"amount: 1, amount: 2","amount":3}', undefined],
    ['{"a":1,"\\u0061":2}', 'a'],
    ['{"x":{"y":1,"y":2}}', 'y'],
    ['{"amount":1e2}', 'amount'],
    ['{"list":[1,2.5]}', 'list'],
  ])('%s → %s', (text, field) => {
    expect(jsonTextProblem(text)?.field).toBe(field);
  });
});
