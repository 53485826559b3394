// Security headers suited to a JSON API, CORS from an allow-list, body size limits, and login
// answers that do not tell an unknown user from a wrong password — not even by timing class.

import { buildApp } from '../../src/http/app.js';
import { createOperations } from '../../src/operations.js';
import { createPasswordHasher } from '../../src/users/passwords.js';
import { createTestApp, expectProblem, signUp, type TestApp, uniqueName } from '../setup/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

it('every API answer carries the security headers; errors too', async () => {
  for (const res of [await t.app.inject('/healthz'), await t.app.inject('/accounts'), await t.app.inject('/nowhere')]) {
    expect(res.headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'content-security-policy': "default-src 'none';frame-ancestors 'none'",
      'cache-control': 'no-store',
      'strict-transport-security': expect.stringMatching(/^max-age=\d+/),
    });
  }
});

it('CORS: an allowed origin gets its preflight and headers; any other origin gets none', async () => {
  const app = await buildApp(createOperations(t.deps), { docs: false, corsOrigins: ['https://app.example.com'] });
  const ok = await app.inject({
    method: 'OPTIONS',
    url: '/transfers',
    headers: {
      origin: 'https://app.example.com',
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization,content-type,idempotency-key',
    },
  });
  expect(ok.statusCode).toBe(204);
  expect(ok.headers['access-control-allow-origin']).toBe('https://app.example.com');
  expect(String(ok.headers['access-control-allow-headers'])).toMatch(/idempotency-key/);
  const evil = await app.inject({ method: 'GET', url: '/healthz', headers: { origin: 'https://evil.example.com' } });
  expect(evil.headers['access-control-allow-origin']).toBeUndefined();
  const none = await t.app.inject({ method: 'GET', url: '/healthz', headers: { origin: 'https://app.example.com' } });
  expect(none.headers['access-control-allow-origin']).toBeUndefined(); // default: no origin allowed
  await app.close();
});

it('a body over the configured limit is 413 and writes nothing', async () => {
  const app = await buildApp(createOperations(t.deps), { docs: false, bodyLimit: 2048 });
  const res = await app.inject({
    method: 'POST',
    url: '/users',
    payload: { username: 'big_body', full_name: 'B', email: 'b@example.com', password: 'x'.repeat(3000) },
  });
  expectProblem(res, 413, 'payload_too_large');
  const { rows } = await t.db.pool.query("SELECT count(*)::int AS n FROM users WHERE username = 'big_body'");
  expect(rows[0].n).toBe(0);
  await app.close();
});

it('login: unknown user and wrong password give the same status and body, in the same time class', async () => {
  // Real argon2id work (moderate costs), so that skipping it for unknown users would show.
  const t2 = await createTestApp();
  t2.deps.passwords = createPasswordHasher({ memoryCost: 16_384, timeCost: 2, parallelism: 1 });
  const app = await buildApp(createOperations(t2.deps), { docs: false });
  const username = uniqueName('timing');
  await app.inject({
    method: 'POST',
    url: '/users',
    payload: { username, full_name: 'T', email: `${username}@example.com`, password: 'right password' },
  });
  const timeOf = async (u: string) => {
    const t0 = performance.now();
    const res = await app.inject({ method: 'POST', url: '/users/login', payload: { username: u, password: 'wrong password' } });
    return { ms: performance.now() - t0, status: res.statusCode, body: res.body };
  };
  const wrong: number[] = [];
  const unknown: number[] = [];
  let bodies = new Set<string>();
  for (let i = 0; i < 8; i++) {
    const a = await timeOf(username);
    const b = await timeOf(uniqueName('nobody'));
    expect([a.status, b.status]).toEqual([401, 401]);
    bodies = new Set([...bodies, a.body, b.body]);
    wrong.push(a.ms);
    unknown.push(b.ms);
  }
  expect(bodies.size).toBe(1);
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
  const ratio = median(unknown) / median(wrong);
  // Same class: skipping the hash for unknown users would make them ~50× faster, far outside this band.
  expect(ratio).toBeGreaterThan(0.33);
  expect(ratio).toBeLessThan(3);
  await app.close();
  await t2.close();
});

it("a full scenario's responses never echo a password or a hash", async () => {
  const u = await signUp(t);
  const res = await t.app.inject({
    method: 'PATCH',
    url: `/users/${u.username}`,
    headers: u.auth,
    payload: { password: 'a new secret password' },
  });
  expect(res.body).not.toMatch(/a new secret password|argon2|hashed_password/);
});

it('behind a proxy (TRUST_PROXY_HOPS), the login rate limit counts the forwarded client IP', async () => {
  const t2 = await createTestApp({ loginPerIp: 2 });
  const app = await buildApp(createOperations(t2.deps), { docs: false, trustProxy: 1 });
  const attempt = (ip: string) =>
    app.inject({
      method: 'POST',
      url: '/users/login',
      remoteAddress: '10.0.0.1',
      headers: { 'x-forwarded-for': ip },
      payload: { username: uniqueName('p'), password: 'whatever1' },
    });
  expect((await attempt('203.0.113.7')).statusCode).toBe(401);
  expect((await attempt('203.0.113.7')).statusCode).toBe(401);
  expectProblem(await attempt('203.0.113.7'), 429, 'rate_limited');
  expect((await attempt('198.51.100.9')).statusCode).toBe(401); // another client behind the same proxy
  await app.close();
  await t2.close();
});
