// Two service processes on one database, as two replicas behind an ingress: a role revoked, a
// password changed or a session revoked through one (or by the CLI) is honoured by the other
// within the contract's 2 s.
import { generateSecretKey } from '../../src/auth/tokens.js';
import { createTestDb, type TestDb } from '../setup/db.js';
import { freePort, run, runTs, waitForReady, type Proc } from './helpers.js';

let db: TestDb;
let env: Record<string, string>;
const servers: { proc: Proc; base: string }[] = [];

beforeAll(async () => {
  db = await createTestDb(4);
  env = {
    DATABASE_URL: db.url,
    TOKEN_SECRET_KEY: await generateSecretKey(),
    LOG_LEVEL: 'warn',
    ARGON2_MEMORY_KIB: '1024',
    ARGON2_TIME_COST: '1',
    ARGON2_PARALLELISM: '1',
    LOGIN_RATE_LIMIT_PER_USERNAME: '3',
  };
  for (let i = 0; i < 2; i++) {
    const port = await freePort();
    const proc = runTs('src/server.ts', [], { ...env, PORT: String(port) });
    const base = `http://127.0.0.1:${port}`;
    servers.push({ proc, base });
  }
  await Promise.all(servers.map((s) => waitForReady(s.base, s.proc)));
}, 90_000);

afterAll(async () => {
  for (const s of servers) s.proc.child.kill('SIGTERM');
  await Promise.all(servers.map((s) => s.proc.exited));
  await db.drop();
});

async function call(i: number, method: string, path: string, body?: unknown, token?: string) {
  const res = await fetch(servers[i]!.base + path, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/** Milliseconds until `req` answers `want`, polling; Infinity past `ms`. */
async function within(ms: number, want: number, req: () => Promise<{ status: number }>): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    if ((await req()).status === want) return Date.now() - t0;
    if (Date.now() - t0 > ms) return Infinity;
    await new Promise((r) => setTimeout(r, 50));
  }
}

const login = async (i: number, username: string, password: string) => {
  const r = await call(i, 'POST', '/users/login', { username, password });
  expect(r.status).toBe(200);
  return r.body as { access_token: string; refresh_token: string };
};

it('a role revoked with the CLI stops deposits on both replicas, with tokens already issued', async () => {
  for (const u of ['rep_bank', 'rep_cust']) {
    expect((await call(0, 'POST', '/users', { username: u, full_name: u, email: `${u}@example.com`, password: 'password-123' })).status).toBe(201);
  }
  expect((await run('scripts/cli.ts', ['grant-banker', 'rep_bank'], env)).code).toBe(0);
  const bank = await login(0, 'rep_bank', 'password-123');
  const cust = await login(1, 'rep_cust', 'password-123');
  const acct = (await call(1, 'POST', '/accounts', { currency: 'USD' }, cust.access_token)).body.id as number;
  const deposit = (i: number) => () => call(i, 'POST', '/deposits', { account_id: acct, amount: 10 }, bank.access_token);
  expect((await deposit(0)()).status).toBe(201);
  expect((await deposit(1)()).status).toBe(201);

  const revoked = await run('scripts/cli.ts', ['revoke-banker', 'rep_bank'], env);
  expect(revoked.code).toBe(0);
  expect(revoked.output).toMatch(/rep_bank is no longer a banker/);
  expect(await within(2_000, 403, deposit(0))).toBeLessThanOrEqual(2_000);
  expect(await within(2_000, 403, deposit(1))).toBeLessThanOrEqual(2_000);
  expect((await call(0, 'GET', `/accounts/${acct}`, undefined, cust.access_token)).body.balance).toBe(20);
});

it('a password changed through one replica blocks the other sessions on the other; a revocation too', async () => {
  expect((await call(1, 'POST', '/users', { username: 'rep_pw', full_name: 'pw', email: 'rep_pw@example.com', password: 'password-123' })).status).toBe(201);
  const mine = await login(0, 'rep_pw', 'password-123');
  const stolen = await login(1, 'rep_pw', 'password-123');
  const list = (i: number, token: string) => () => call(i, 'GET', '/accounts', undefined, token);
  expect((await list(1, stolen.access_token)()).status).toBe(200); // cached as live on replica 1

  const changed = await call(0, 'PATCH', '/users/rep_pw', { password: 'a new password', current_password: 'password-123' }, mine.access_token);
  expect(changed.status).toBe(200);
  expect(await within(2_000, 401, list(1, stolen.access_token))).toBeLessThanOrEqual(2_000);
  expect((await call(1, 'POST', '/tokens/renew_access', { refresh_token: stolen.refresh_token })).body.code).toBe('session_invalid');
  expect((await list(1, mine.access_token)()).status).toBe(200); // the session that made the change goes on

  // The remaining session revoked through replica 1: its access token stops on replica 0 as well.
  expect((await list(0, mine.access_token)()).status).toBe(200);
  expect((await call(1, 'POST', '/tokens/revoke', { refresh_token: mine.refresh_token })).status).toBe(204);
  expect(await within(2_000, 401, list(0, mine.access_token))).toBeLessThanOrEqual(2_000);
});

it('login attempts are counted once across both replicas', async () => {
  expect((await call(0, 'POST', '/users', { username: 'rep_guess', full_name: 'g', email: 'rep_guess@example.com', password: 'password-123' })).status).toBe(201);
  const guess = (i: number) => call(i, 'POST', '/users/login', { username: 'rep_guess', password: 'wrong-guess' });
  expect((await guess(0)).status).toBe(401);
  expect((await guess(1)).status).toBe(401);
  expect((await guess(0)).status).toBe(401);
  const fourth = await guess(1); // the limit is 3 per username: the fourth attempt anywhere is refused
  expect(fourth.status).toBe(429);
  expect(fourth.body.code).toBe('rate_limited');
});
