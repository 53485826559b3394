// The app factory on a database of its own, with cheap argon2 costs (tests only) and helpers that
// go through the real HTTP routes.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { generateSecretKey } from '../../src/auth/tokens.js';
import { createBank, createDeps } from '../../src/bank.js';
import type { AppDeps } from '../../src/operations.js';
import { type Config, loadConfig } from '../../src/platform/config.js';
import { grantBanker } from '../../src/users/users.service.js';
import { createTestDb, type TestDb } from './db.js';

export const CHEAP_ARGON2 = { memoryCost: 1024, timeCost: 1, parallelism: 1 };

export interface TestApp {
  app: FastifyInstance;
  db: TestDb;
  deps: AppDeps;
  tokenKey: string;
  close(): Promise<void>;
}

export interface TestDepsOptions {
  loginPerUsername?: number;
  loginPerIp?: number;
  signupPerIp?: number;
  accessTokenMs?: number;
  poolSize?: number;
  argon2MaxConcurrent?: number;
  argon2MaxQueue?: number;
  requestTimeoutMs?: number;
  /** More of the environment (e.g. WEBHOOK_ALLOWED_HOSTS). */
  env?: Record<string, string>;
}

/** The service's configuration as the environment would give it, with cheap argon2 costs (tests only). */
export function testConfig(opts: TestDepsOptions = {}): Config {
  return loadConfig({
    ARGON2_MEMORY_KIB: String(CHEAP_ARGON2.memoryCost),
    ARGON2_TIME_COST: String(CHEAP_ARGON2.timeCost),
    ARGON2_PARALLELISM: String(CHEAP_ARGON2.parallelism),
    ACCESS_TOKEN_DURATION: `${opts.accessTokenMs ?? 15 * 60_000}ms`,
    LOGIN_RATE_LIMIT_PER_USERNAME: String(opts.loginPerUsername ?? 1_000),
    LOGIN_RATE_LIMIT_PER_IP: String(opts.loginPerIp ?? 100_000),
    SIGNUP_RATE_LIMIT_PER_IP: String(opts.signupPerIp ?? 100_000),
    ...(opts.argon2MaxConcurrent ? { ARGON2_MAX_CONCURRENT: String(opts.argon2MaxConcurrent) } : {}),
    ...(opts.requestTimeoutMs ? { REQUEST_TIMEOUT: `${opts.requestTimeoutMs}ms` } : {}),
    ...(opts.argon2MaxQueue !== undefined ? { ARGON2_MAX_QUEUE: String(opts.argon2MaxQueue) } : {}),
    ...opts.env,
  });
}

/** The operations' dependencies on a database of its own (no Fastify): tests of the operation layer. */
export async function createTestDeps(
  opts: TestDepsOptions = {},
): Promise<{ db: TestDb; deps: AppDeps; tokenKey: string; close(): Promise<void> }> {
  const db = await createTestDb(opts.poolSize ?? 10);
  const tokenKey = await generateSecretKey();
  const deps = await createDeps(testConfig(opts), { pool: db.pool, listenUrl: db.url, tokenKey });
  return {
    db,
    deps,
    tokenKey,
    async close() {
      await Promise.all([deps.sessions.close(), deps.events.close()]);
      await db.drop();
    },
  };
}

/** The whole bank (HTTP adapter; no gRPC listener) on a database of its own. */
export async function createTestApp(opts: TestDepsOptions & { logger?: Logger } = {}): Promise<TestApp> {
  const db = await createTestDb(opts.poolSize ?? 10);
  const tokenKey = await generateSecretKey();
  const bank = await createBank(testConfig(opts), { pool: db.pool, listenUrl: db.url, tokenKey }, { logger: opts.logger, grpc: false });
  await bank.http.ready();
  return {
    app: bank.http,
    db,
    deps: bank.deps,
    tokenKey,
    async close() {
      await bank.close();
      await db.drop();
    },
  };
}

export interface TestUser {
  username: string;
  password: string;
  email: string;
  token: string;
  refreshToken: string;
  sessionId: string;
  auth: { authorization: string };
}

export function uniqueName(prefix = 'u'): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`;
}

/** Signs a user up and logs in, through the API. */
export async function signUp(t: TestApp, opts: { banker?: boolean; prefix?: string } = {}): Promise<TestUser> {
  const username = uniqueName(opts.prefix);
  const password = `pw-${randomBytes(6).toString('hex')}`;
  const email = `${username}@example.com`;
  const created = await t.app.inject({
    method: 'POST',
    url: '/users',
    payload: { username, full_name: `Test ${username}`, email, password },
  });
  if (created.statusCode !== 201) throw new Error(`sign-up failed: ${created.statusCode} ${created.body}`);
  if (opts.banker) await grantBanker(t.db.pool, username);
  return logIn(t, username, password, email);
}

export async function logIn(t: TestApp, username: string, password: string, email = ''): Promise<TestUser> {
  const res = await t.app.inject({ method: 'POST', url: '/users/login', payload: { username, password } });
  if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
  const body = res.json();
  return {
    username,
    password,
    email,
    token: body.access_token,
    refreshToken: body.refresh_token,
    sessionId: body.session_id,
    auth: { authorization: `Bearer ${body.access_token}` },
  };
}

export async function openAccount(
  t: TestApp,
  user: TestUser,
  currency = 'USD',
): Promise<{ id: number; balance: number; owner: string; currency: string }> {
  const res = await t.app.inject({ method: 'POST', url: '/accounts', headers: user.auth, payload: { currency } });
  if (res.statusCode !== 201) throw new Error(`open account failed: ${res.statusCode} ${res.body}`);
  return res.json();
}

export async function depositAs(t: TestApp, banker: TestUser, accountId: number, amount: number) {
  const res = await t.app.inject({ method: 'POST', url: '/deposits', headers: banker.auth, payload: { account_id: accountId, amount } });
  if (res.statusCode !== 201) throw new Error(`deposit failed: ${res.statusCode} ${res.body}`);
  return res.json();
}

/** Everything a rejected request must not have changed. */
export async function snapshot(t: TestApp) {
  const { rows } = await t.db.pool.query<{ t: string; e: string; a: string; u: string; s: string; b: string }>(`
    SELECT (SELECT count(*) FROM transfers) AS t, (SELECT count(*) FROM entries) AS e,
           (SELECT count(*) FROM accounts) AS a, (SELECT count(*) FROM users) AS u,
           (SELECT count(*) FROM sessions WHERE NOT is_blocked) AS s,
           (SELECT COALESCE(string_agg(id || ':' || balance, ',' ORDER BY id), '') FROM accounts) AS b`);
  return rows[0]!;
}

export function expectProblem(res: { statusCode: number; headers: Record<string, unknown>; json(): any }, status: number, code: string) {
  expect({ status: res.statusCode, code: res.json().code }).toEqual({ status, code });
  expect(String(res.headers['content-type'])).toMatch(/^application\/problem\+json/);
  const body = res.json();
  expect(body).toMatchObject({ status, code, type: `urn:simple-bank:problem:${code}` });
  expect(typeof body.title).toBe('string');
  expect(typeof body.detail).toBe('string');
  return body;
}
