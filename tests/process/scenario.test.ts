// The whole contract end to end through a real listening HTTP server and real Postgres.

import { verifyLedger } from '../../src/transfers/ledger.verify.js';
import { grantBanker } from '../../src/users/users.service.js';
import { createTestApp, type TestApp } from '../setup/app.js';

let t: TestApp;
let base: string;
beforeAll(async () => {
  t = await createTestApp();
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  const addr = t.app.server.address();
  base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
});
afterAll(async () => {
  await t.close();
});

async function call(method: string, path: string, body?: unknown, token?: string) {
  const res = await fetch(base + path, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}

it('sign up, log in, open accounts, deposit as a banker, transfer, statements, renew, revoke', async () => {
  for (const u of ['scen_ann', 'scen_ben', 'scen_bank']) {
    const r = await call('POST', '/users', { username: u, full_name: u, email: `${u}@example.com`, password: 'password-123' });
    expect(r.status).toBe(201);
  }
  await grantBanker(t.db.pool, 'scen_bank'); // what `npm run cli -- grant-banker` does
  const login = async (u: string) => (await call('POST', '/users/login', { username: u, password: 'password-123' })).body;
  const ann = await login('scen_ann');
  const ben = await login('scen_ben');
  const bank = await login('scen_bank');
  expect(bank.user.role).toBe('banker');

  const annUsd = (await call('POST', '/accounts', { currency: 'USD' }, ann.access_token)).body;
  const benUsd = (await call('POST', '/accounts', { currency: 'USD' }, ben.access_token)).body;

  const dep = await call('POST', '/deposits', { account_id: annUsd.id, amount: 50_00 }, bank.access_token);
  expect(dep.status).toBe(201);
  expect(dep.body.to_entry.amount).toBe(50_00);

  const tr = await call(
    'POST',
    '/transfers',
    { from_account_id: annUsd.id, to_account_id: benUsd.id, amount: 12_34, currency: 'USD' },
    ann.access_token,
  );
  expect(tr.status).toBe(201);
  expect(tr.body.from_account.balance).toBe(37_66);
  expect(tr.headers.get('x-request-id')).toBeTruthy();

  const seen = await call('GET', `/transfers/${tr.body.transfer.id}`, undefined, ben.access_token);
  expect(seen.body.amount).toBe(12_34);

  const annStatement = (await call('GET', `/accounts/${annUsd.id}/entries`, undefined, ann.access_token)).body;
  expect(annStatement.items.map((e: { amount: number }) => e.amount)).toEqual([-12_34, 50_00]);
  const benStatement = (await call('GET', `/accounts/${benUsd.id}/entries`, undefined, ben.access_token)).body;
  expect(benStatement.items.map((e: { amount: number }) => e.amount)).toEqual([12_34]);
  expect((await call('GET', `/accounts/${benUsd.id}`, undefined, ben.access_token)).body.balance).toBe(12_34);

  const renewed = await call('POST', '/tokens/renew_access', { refresh_token: ann.refresh_token });
  expect(renewed.status).toBe(200);
  expect((await call('GET', '/accounts', undefined, renewed.body.access_token)).status).toBe(200);

  expect((await call('POST', '/tokens/revoke', { refresh_token: ann.refresh_token })).status).toBe(204);
  const refused = await call('GET', '/accounts', undefined, renewed.body.access_token);
  expect(refused.status).toBe(401);
  expect(refused.headers.get('content-type')).toMatch(/application\/problem\+json/);
  expect((await call('POST', '/tokens/renew_access', { refresh_token: ann.refresh_token })).body.code).toBe('session_invalid');

  expect((await verifyLedger(t.db.pool)).violations).toEqual([]);
});
