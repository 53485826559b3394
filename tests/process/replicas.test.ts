// Two service processes on one database, as two replicas behind an ingress: a role revoked, a
// password changed or a session revoked through one (or by the CLI) is honoured by the other
// within the contract's 2 s.
import { generateSecretKey } from '../../src/auth/tokens.js';
import { createTestDb, type TestDb } from '../setup/db.js';
import { freePort, type Proc, run, runTs, waitForReady } from './helpers.js';

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
    expect(
      (await call(0, 'POST', '/users', { username: u, full_name: u, email: `${u}@example.com`, password: 'password-123' })).status,
    ).toBe(201);
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
  expect(
    (await call(1, 'POST', '/users', { username: 'rep_pw', full_name: 'pw', email: 'rep_pw@example.com', password: 'password-123' }))
      .status,
  ).toBe(201);
  const mine = await login(0, 'rep_pw', 'password-123');
  const stolen = await login(1, 'rep_pw', 'password-123');
  const list = (i: number, token: string) => () => call(i, 'GET', '/accounts', undefined, token);
  expect((await list(1, stolen.access_token)()).status).toBe(200); // cached as live on replica 1

  const changed = await call(
    0,
    'PATCH',
    '/users/rep_pw',
    { password: 'a new password', current_password: 'password-123' },
    mine.access_token,
  );
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
  expect(
    (await call(0, 'POST', '/users', { username: 'rep_guess', full_name: 'g', email: 'rep_guess@example.com', password: 'password-123' }))
      .status,
  ).toBe(201);
  const guess = (i: number) => call(i, 'POST', '/users/login', { username: 'rep_guess', password: 'wrong-guess' });
  expect((await guess(0)).status).toBe(401);
  expect((await guess(1)).status).toBe(401);
  expect((await guess(0)).status).toBe(401);
  const fourth = await guess(1); // the limit is 3 per username: the fourth attempt anywhere is refused
  expect(fourth.status).toBe(429);
  expect(fourth.body.code).toBe('rate_limited');
});

it('one replica SIGKILLed under load: every acknowledged transfer exists once, keyed retries on the survivor replay', async () => {
  const { verifyLedger } = await import('../../src/transfers/ledger.verify.js');
  for (const u of ['kill_bank', 'kill_a', 'kill_b']) {
    expect(
      (await call(0, 'POST', '/users', { username: u, full_name: u, email: `${u}@example.com`, password: 'password-123' })).status,
    ).toBe(201);
  }
  expect((await run('scripts/cli.ts', ['grant-banker', 'kill_bank'], env)).code).toBe(0);
  const bank = await login(0, 'kill_bank', 'password-123');
  const a = await login(0, 'kill_a', 'password-123');
  const b = await login(1, 'kill_b', 'password-123');
  const aAcct = (await call(0, 'POST', '/accounts', { currency: 'USD' }, a.access_token)).body.id as number;
  const bAcct = (await call(1, 'POST', '/accounts', { currency: 'USD' }, b.access_token)).body.id as number;
  expect((await call(0, 'POST', '/deposits', { account_id: aAcct, amount: 1_000_000 }, bank.access_token)).status).toBe(201);

  /** A keyed transfer: sent to `first`; on a network failure (the replica is gone) the same key goes to the other. */
  const acknowledged = new Map<string, number>(); // key → transfer id of the 201
  let failovers = 0;
  async function keyedTransfer(key: string, first: number) {
    const send = (i: number) =>
      fetch(`${servers[i]!.base}/transfers`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${a.access_token}`, 'idempotency-key': key },
        body: JSON.stringify({ from_account_id: aAcct, to_account_id: bAcct, amount: 1, currency: 'USD' }),
      });
    let res: Response;
    try {
      res = await send(first);
    } catch {
      failovers++;
      for (;;) {
        res = await send(1 - first);
        if (res.status !== 409) break; // the first attempt may still hold the key for a moment
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    expect(res.status).toBe(201);
    const body = (await res.json()) as { transfer: { id: number } };
    acknowledged.set(key, body.transfer.id);
  }

  let n = 0;
  const until = Date.now() + 3_000;
  const killAt = Date.now() + 1_200;
  let killed = false;
  await Promise.all(
    Array.from({ length: 12 }, async (_, w) => {
      while (Date.now() < until) {
        if (!killed && Date.now() >= killAt) {
          killed = true;
          servers[1]!.proc.child.kill('SIGKILL');
        }
        const i = n++;
        await keyedTransfer(`kill-${i}`, killed ? w % 2 : i % 2);
      }
    }),
  );
  await servers[1]!.proc.exited;
  expect(killed).toBe(true);
  expect(failovers).toBeGreaterThan(0);

  // Every acknowledged transfer exists exactly once, and nothing else moved.
  const ids = [...acknowledged.values()];
  expect(new Set(ids).size).toBe(ids.length);
  const { rows } = await db.pool.query<{ n: string }>(
    'SELECT count(*) AS n FROM transfers WHERE from_account_id = $1 AND to_account_id = $2',
    [aAcct, bAcct],
  );
  expect(Number(rows[0]!.n)).toBe(acknowledged.size);
  const found = await db.pool.query<{ n: string }>('SELECT count(*) AS n FROM transfers WHERE id = ANY($1::bigint[])', [ids]);
  expect(Number(found.rows[0]!.n)).toBe(ids.length);
  expect((await db.pool.query('SELECT balance FROM accounts WHERE id = $1', [bAcct])).rows[0].balance).toBe(String(acknowledged.size));
  expect((await verifyLedger(db.pool)).violations).toEqual([]);
}, 60_000);
