// Every protected route refuses every kind of bad access token with 401 `unauthenticated`.
import { PublicProtocol } from 'paseto';
import * as v2 from 'paseto/v2/public';
import * as v3 from 'paseto/v3/public';
import { createTokenMaker, generateSecretKey } from '../../src/auth/tokens.js';
import { createTestApp, expectProblem, openAccount, signUp, type TestApp, type TestUser } from '../setup/app.js';

let t: TestApp;
let alice: TestUser;
let accountId: number;
const tokens: Record<string, () => Promise<string | undefined>> = {};

const routes: [string, string, (id: number) => unknown][] = [
  ['GET', '/accounts', () => undefined],
  ['POST', '/accounts', () => ({ currency: 'EUR' })],
  ['GET', '/accounts/{id}', () => undefined],
  ['GET', '/accounts/{id}/entries', () => undefined],
  ['POST', '/transfers', (id) => ({ from_account_id: id, to_account_id: id + 1, amount: 1, currency: 'USD' })],
  ['GET', '/transfers/1', () => undefined],
  ['POST', '/deposits', (id) => ({ account_id: id, amount: 1 })],
  ['POST', '/withdrawals', (id) => ({ account_id: id, amount: 1 })],
  ['PATCH', '/users/{username}', () => ({ full_name: 'X' })],
];

beforeAll(async () => {
  t = await createTestApp();
  alice = await signUp(t, { prefix: 'alice' });
  accountId = (await openAccount(t, alice, 'USD')).id;
  const claims = { sub: alice.username, sid: alice.sessionId, role: 'banker', aud: 'simple-bank:access', iss: 'simple-bank' };
  const otherKey = await createTokenMaker(await generateSecretKey(), { accessTokenMs: 60_000, refreshTokenMs: 120_000 });
  const v2p = new PublicProtocol(v2.GenerateKeyPairFactory, v2.SignFactory);
  const v3p = new PublicProtocol(v3.GenerateKeyPairFactory, v3.SignFactory);
  const revoked = await signUp(t, { prefix: 'revoked' });
  await t.app.inject({ method: 'POST', url: '/tokens/revoke', payload: { refresh_token: revoked.refreshToken } });

  Object.assign(tokens, {
    'no Authorization header': async () => undefined,
    'a Basic scheme': async () => `Basic ${Buffer.from('alice:pw').toString('base64')}`,
    'Bearer with nothing': async () => 'Bearer ',
    'a garbage token': async () => 'Bearer not.a.token',
    'a tampered token': async () => {
      const s = alice.token;
      const i = 20;
      return `Bearer ${s.slice(0, i)}${s[i] === 'A' ? 'B' : 'A'}${s.slice(i + 1)}`;
    },
    'a token signed by another key': async () =>
      `Bearer ${(await otherKey.createAccessToken(alice.sessionId, alice.username, 'banker')).token}`,
    'a v2.public token': async () => `Bearer ${await v2p.Sign((await v2p.GenerateKeyPair()).secretKey, claims)}`,
    'a v3.public token': async () => `Bearer ${await v3p.Sign((await v3p.GenerateKeyPair()).secretKey, claims)}`,
    'a v4.local token': async () => `Bearer v4.local.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`,
    'an expired token': async () =>
      `Bearer ${(await t.deps.tokens.createAccessToken(alice.sessionId, alice.username, 'depositor', new Date(Date.now() - 3_600_000))).token}`,
    'a refresh token as the access token': async () => `Bearer ${alice.refreshToken}`,
    'a token of a revoked session': async () => `Bearer ${revoked.token}`,
  });
});
afterAll(async () => {
  await t.close();
});

describe.each(routes)('%s %s', (method, path, body) => {
  it.each([
    'no Authorization header',
    'a Basic scheme',
    'Bearer with nothing',
    'a garbage token',
    'a tampered token',
    'a token signed by another key',
    'a v2.public token',
    'a v3.public token',
    'a v4.local token',
    'an expired token',
    'a refresh token as the access token',
    'a token of a revoked session',
  ])('401 for %s', async (kind) => {
    const authorization = await tokens[kind]!();
    const res = await t.app.inject({
      method: method as 'GET',
      url: path.replace('{id}', String(accountId)).replace('{username}', alice.username),
      headers: authorization === undefined ? {} : { authorization },
      ...(body(accountId) === undefined ? {} : { payload: body(accountId) as object }),
    });
    expectProblem(res, 401, 'unauthenticated');
  });
});

it('the same routes accept the genuine token (the matrix is not refusing everything)', async () => {
  const res = await t.app.inject({ method: 'GET', url: `/accounts/${accountId}`, headers: alice.auth });
  expect(res.statusCode).toBe(200);
});
