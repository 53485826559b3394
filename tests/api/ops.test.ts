// Health, readiness, the OpenAPI document, Swagger UI, request ids and the request log.
import { Writable } from 'node:stream';
import type pino from 'pino';
import { createPool } from '../../src/db/pool.js';
import { buildApp } from '../../src/http/app.js';
import { createOperations } from '../../src/operations.js';
import { createLogger } from '../../src/platform/logger.js';
import { createTestApp, expectProblem, openAccount, signUp, type TestApp } from '../setup/app.js';

let t: TestApp;
const lines: Record<string, unknown>[] = [];
const sink = new Writable({
  write(chunk, _enc, cb) {
    for (const l of String(chunk).split('\n')) if (l.trim()) lines.push(JSON.parse(l));
    cb();
  },
});

beforeAll(async () => {
  t = await createTestApp({ logger: createLogger('info', sink as unknown as pino.DestinationStream) });
});
afterAll(async () => {
  await t.close();
});

it('GET /healthz is 200 and GET /readyz is 200 while the database answers', async () => {
  expect((await t.app.inject('/healthz')).json()).toEqual({ status: 'ok' });
  const ready = await t.app.inject('/readyz');
  expect(ready.statusCode).toBe(200);
  expect(ready.json()).toEqual({ status: 'ready' });
});

it('GET /readyz is 503 `unavailable` (quickly, not a hang) when the database cannot be reached; /healthz stays 200', async () => {
  const deadPool = createPool('postgres://nobody:x@127.0.0.1:1/none?sslmode=disable', { max: 1 });
  const app = await buildApp(createOperations({ ...t.deps, pool: deadPool }), { docs: false });
  const started = Date.now();
  expectProblem(await app.inject('/readyz'), 503, 'unavailable');
  expect(Date.now() - started).toBeLessThan(10_000);
  expect((await app.inject('/healthz')).statusCode).toBe(200);
  // An API call that needs the database answers 503 too, never 500 or 401.
  const res = await app.inject({
    method: 'POST',
    url: '/users',
    payload: { username: 'zed_down', full_name: 'Z', email: 'z@example.com', password: 'password1' },
  });
  const body = expectProblem(res, 503, 'unavailable');
  expect(JSON.stringify(body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|stack/);
  await app.close();
  await deadPool.end();
});

it('GET /openapi.json documents every operation of the contract with an operationId and problem+json errors', async () => {
  const doc = (await t.app.inject('/openapi.json')).json();
  expect(doc.openapi).toMatch(/^3\./);
  const ops: string[] = [];
  for (const [path, item] of Object.entries<Record<string, any>>(doc.paths)) {
    for (const [method, op] of Object.entries<any>(item)) {
      ops.push(`${method.toUpperCase()} ${path}`);
      expect(op.operationId).toEqual(expect.any(String));
      expect(op.summary).toEqual(expect.any(String));
      for (const [status, response] of Object.entries<any>(op.responses)) {
        if (Number(status) >= 400) expect(Object.keys(response.content)).toEqual(['application/problem+json']);
      }
    }
  }
  expect(ops.sort()).toEqual([
    'DELETE /webhook_endpoints/{id}',
    'GET /accounts',
    'GET /accounts/{id}',
    'GET /accounts/{id}/balance',
    'GET /accounts/{id}/entries',
    'GET /events',
    'GET /healthz',
    'GET /readyz',
    'GET /transfers/{id}',
    'GET /verify_email',
    'GET /webhook_endpoints',
    'GET /webhook_endpoints/{id}/deliveries',
    'PATCH /users/{username}',
    'POST /accounts',
    'POST /accounts/{id}/close',
    'POST /accounts/{id}/freeze',
    'POST /accounts/{id}/unfreeze',
    'POST /deposits',
    'POST /tokens/renew_access',
    'POST /tokens/revoke',
    'POST /transfers',
    'POST /transfers/{id}/post',
    'POST /transfers/{id}/reverse',
    'POST /transfers/{id}/void',
    'POST /users',
    'POST /users/login',
    'POST /webhook_endpoints',
    'POST /withdrawals',
  ]);
  expect(Object.keys(doc.paths['/transfers'].post.responses).sort()).toEqual([
    '201',
    '400',
    '401',
    '403',
    '404',
    '409',
    '413',
    '414',
    '415',
    '422',
    '431',
    '500',
    '503',
  ]);
});

it('the committed generated/openapi.json is the document the server serves', async () => {
  const { readFile } = await import('node:fs/promises');
  const committed = JSON.parse(await readFile(new URL('../../generated/openapi.json', import.meta.url), 'utf8'));
  expect((await t.app.inject('/openapi.json')).json()).toEqual(committed);
});

it('GET /docs serves Swagger UI', async () => {
  const res = await t.app.inject('/docs/');
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toMatch(/text\/html/);
  expect(res.body).toMatch(/swagger/i);
});

it('an unknown route is a 404 problem', async () => {
  expectProblem(await t.app.inject('/no/such/route'), 404, 'not_found');
});

it('a body over the limit is 413', async () => {
  const res = await t.app.inject({
    method: 'POST',
    url: '/users',
    payload: { username: 'big_one', full_name: 'x'.repeat(100_000), email: 'b@example.com', password: 'password1' },
  });
  expectProblem(res, 413, 'payload_too_large');
});

it('honours an incoming X-Request-Id and returns it; makes one otherwise', async () => {
  const mine = await t.app.inject({ url: '/healthz', headers: { 'x-request-id': 'trace-abc-123' } });
  expect(mine.headers['x-request-id']).toBe('trace-abc-123');
  const made = await t.app.inject({ url: '/healthz', headers: { 'x-request-id': 'bad id with spaces' } });
  expect(made.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
});

it('logs one line per request with request id, method, route, status, duration and user — and never a secret', async () => {
  lines.length = 0;
  const u = await signUp(t, { prefix: 'logged' });
  await openAccount(t, u, 'USD');
  await t.app.inject({ method: 'POST', url: '/tokens/renew_access', payload: { refresh_token: u.refreshToken } });
  await t.app.inject({ method: 'PATCH', url: `/users/${u.username}`, headers: u.auth, payload: { password: 'another secret pw' } });
  const res = await t.app.inject({ method: 'GET', url: '/accounts', headers: { ...u.auth, 'x-request-id': 'req-log-1' } });
  expect(res.statusCode).toBe(200);
  await t.app.inject({ method: 'POST', url: '/users/login', payload: { username: u.username, password: 'a wrong secret pw' } });
  await t.app.inject({ method: 'POST', url: '/tokens/revoke', payload: { refresh_token: u.refreshToken } });
  await t.app.inject({ method: 'GET', url: '/accounts', headers: u.auth }); // refused: revoked

  const requests = lines.filter((l) => l.msg === 'request');
  expect(requests).toHaveLength(9); // sign-up, login, open account, renew, patch, get, failed login, revoke, refused get
  const get = lines.find((l) => l.reqId === 'req-log-1');
  expect(get).toMatchObject({ method: 'GET', route: '/accounts', status: 200, user: u.username, ms: expect.any(Number) });
  expect(lines.filter((l) => l.reqId === 'req-log-1')).toHaveLength(1);

  const all = JSON.stringify(lines);
  for (const secret of [u.password, 'another secret pw', 'a wrong secret pw', u.token, u.refreshToken, '$argon2', 'v4.public.']) {
    expect(all).not.toContain(secret);
  }
  // A probe answered 200 (every few seconds per replica) is a debug line, not one at info.
  lines.length = 0;
  expect((await t.app.inject('/readyz')).statusCode).toBe(200);
  expect((await t.app.inject('/healthz')).statusCode).toBe(200);
  expect(lines.filter((l) => l.msg === 'request')).toEqual([]);
});

it("/readyz is 503 until the database is at this build's schema version; an unmigrated table answers 503, not 500", async () => {
  const { runDbmate } = await import('../../src/platform/migrate.js');
  const { EXPECTED_SCHEMA_VERSION } = await import('../../src/health/health.operations.js');
  const t2 = await createTestApp();
  try {
    expect((await t2.app.inject('/readyz')).statusCode).toBe(200);
    expect((await runDbmate(t2.db.url, ['rollback'])).code).toBe(0); // the newest migration undone
    const pending = await t2.app.inject('/readyz');
    expectProblem(pending, 503, 'unavailable');
    expect(pending.json().detail).toContain(EXPECTED_SCHEMA_VERSION);
    // The version it is at, the version this build needs, and what to run.
    const { rows } = await t2.db.pool.query<{ v: string }>('SELECT max(version) AS v FROM schema_migrations');
    expect(pending.json().detail).toBe(
      `the database schema is at version ${rows[0]!.v}, this build needs ${EXPECTED_SCHEMA_VERSION}: run \`npm run migrate -- up\``,
    );
    expect((await runDbmate(t2.db.url, ['up'])).code).toBe(0);
    expect((await t2.app.inject('/readyz')).statusCode).toBe(200);
    // A request meeting a table that is not there is the deploy's fault: 503.
    await t2.db.pool.query('ALTER TABLE rate_limits RENAME TO rate_limits_elsewhere');
    const signUp = await t2.app.inject({
      method: 'POST',
      url: '/users',
      payload: { username: 'unmigrated', full_name: 'U', email: 'u@example.com', password: 'password-123' },
    });
    expectProblem(signUp, 503, 'unavailable');
    await t2.db.pool.query('ALTER TABLE rate_limits_elsewhere RENAME TO rate_limits');
    // A database with no simple bank schema at all (a fresh external one) is said as such, not as unreachable.
    await t2.db.pool.query('ALTER TABLE schema_migrations RENAME TO schema_migrations_elsewhere');
    const fresh = await t2.app.inject('/readyz');
    expectProblem(fresh, 503, 'unavailable');
    expect(fresh.json().detail).toBe('the database has no simple bank schema: run `npm run migrate -- up`');
    await t2.db.pool.query('ALTER TABLE schema_migrations_elsewhere RENAME TO schema_migrations');
  } finally {
    await t2.close();
  }
});

describe('a wrong database setting is named in /readyz, never its address or secret (#32 item 2)', () => {
  const wrong = (change: (u: URL) => void) => {
    const u = new URL(t.db.url);
    change(u);
    return u.toString();
  };
  it.each([
    [
      'a wrong password',
      (u: URL) => (u.password = 'not-the-password'),
      'the database refused the password: check the user and password in DATABASE_URL',
    ],
    [
      'a database that does not exist',
      (u: URL) => (u.pathname = '/nosuchdb'),
      'the database named in DATABASE_URL does not exist: create it, or fix the name',
    ],
    [
      'a port nothing listens on',
      (u: URL) => (u.port = '1'),
      "nothing listens at DATABASE_URL's host and port: is the server running, and is the port right?",
    ],
  ])('%s', async (_name, change, sentence) => {
    const url = wrong(change);
    const pool = createPool(url, { max: 1 });
    const app = await buildApp(createOperations({ ...t.deps, pool }), { docs: false });
    try {
      const res = await app.inject('/readyz');
      const body = expectProblem(res, 503, 'unavailable');
      expect(body.detail).toBe(sentence);
      const u = new URL(url);
      expect(JSON.stringify(body)).not.toContain(u.port || '5432');
      expect(JSON.stringify(body)).not.toContain(u.hostname);
      expect(JSON.stringify(body)).not.toContain(decodeURIComponent(u.password));
    } finally {
      await app.close();
      await pool.end();
    }
  });
});
