// Crash durability, for real: keyed transfers against a server process; the server, then the
// database, is killed mid-load; every request that got no answer (or a 503) is retried with its
// same key; then every 201 exists exactly once, nothing exists twice, and every invariant holds.
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import pg from 'pg';
import { generateSecretKey } from '../../src/auth/tokens.js';
import { attachOrStartEmbedded, startEmbeddedPostgres } from '../../src/platform/embedded-postgres.js';
import { migrateUp } from '../../src/platform/migrate.js';
import { verifyLedger } from '../../src/transfers/ledger.verify.js';
import { freePort, type Proc, run, runTs, waitForOutput, waitForReady } from './helpers.js';

jest.setTimeout(180_000);

const json = (body: unknown, headers: Record<string, string> = {}) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

interface Setup {
  base: string;
  env: Record<string, string | undefined>;
  start(): Promise<Proc>;
}

async function makeServer(extraEnv: Record<string, string | undefined>): Promise<Setup> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = {
    DATABASE_URL: undefined,
    TOKEN_SECRET_KEY: undefined,
    PORT: String(port),
    ARGON2_MEMORY_KIB: '1024',
    ARGON2_TIME_COST: '1',
    ARGON2_PARALLELISM: '1',
    ...extraEnv,
  };
  return {
    base,
    env,
    async start() {
      const p = runTs('src/server.ts', [], env);
      procs.push(p);
      await waitForReady(base, p);
      return p;
    },
  };
}

const procs: Proc[] = [];
const dirs: string[] = [];
afterAll(async () => {
  for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  for (const d of dirs) {
    const pidFile = join(d, 'pg', 'postmaster.pid');
    if (existsSync(pidFile)) {
      try {
        process.kill(Number(readFileSync(pidFile, 'utf8').split('\n')[0]), 'SIGQUIT');
      } catch {
        /* gone */
      }
    }
  }
  await new Promise((r) => setTimeout(r, 500));
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** Two funded accounts of two users, through the API; the banker role through the operator CLI. */
async function fixtures(s: Setup) {
  const users: Record<string, string> = {};
  for (const name of ['crash_banker', 'crash_a', 'crash_b']) {
    const r0 = await fetch(
      `${s.base}/users`,
      json({ username: name, full_name: name, email: `${name}@example.com`, password: 'crash-password' }),
    );
    expect([r0.status, r0.status === 201 ? '' : await r0.text()]).toEqual([201, '']);
  }
  const grant = await run('scripts/cli.ts', ['grant-banker', 'crash_banker'], s.env);
  expect(grant.code).toBe(0);
  for (const name of ['crash_banker', 'crash_a', 'crash_b']) {
    const r = await fetch(`${s.base}/users/login`, json({ username: name, password: 'crash-password' }));
    users[name] = ((await r.json()) as { access_token: string }).access_token;
  }
  const open = async (who: string) => {
    const r = await fetch(`${s.base}/accounts`, json({ currency: 'USD' }, { authorization: `Bearer ${users[who]}` }));
    const body = await r.text();
    expect([r.status, r.status === 201 ? '' : body]).toEqual([201, '']);
    return (JSON.parse(body) as { id: number }).id;
  };
  const a = await open('crash_a');
  const b = await open('crash_b');
  for (const id of [a, b]) {
    const r = await fetch(
      `${s.base}/deposits`,
      json({ account_id: id, amount: 1_000_000 }, { authorization: `Bearer ${users.crash_banker}` }),
    );
    expect(r.status).toBe(201);
  }
  return { users, a, b };
}

interface Req {
  key: string;
  token: string;
  body: { from_account_id: number; to_account_id: number; amount: number; currency: string };
  status?: number;
  transferId?: number;
}

async function send(s: Setup, r: Req): Promise<void> {
  try {
    const res = await fetch(`${s.base}/transfers`, json(r.body, { authorization: `Bearer ${r.token}`, 'idempotency-key': r.key }));
    const body = (await res.json()) as { transfer?: { id: number } };
    r.status = res.status;
    if (res.status === 201) r.transferId = body.transfer!.id;
  } catch {
    r.status = undefined; // no answer: the server or the connection died
  }
}

/** Load from 12 loops; `fault` is called once `after` requests have been answered. */
async function load(s: Setup, reqs: Req[], after: number, fault: () => void) {
  let next = 0;
  let answered = 0;
  let fired = false;
  await Promise.all(
    Array.from({ length: 12 }, async () => {
      while (next < reqs.length) {
        const r = reqs[next++]!;
        await send(s, r);
        if (r.status !== undefined) answered++;
        if (!fired && answered >= after) {
          fired = true;
          fault();
        }
      }
    }),
  );
}

async function retryUntilAnswered(s: Setup, reqs: Req[]) {
  for (const r of reqs) {
    for (let i = 0; r.status === undefined || r.status >= 500 || r.status === 409; i++) {
      if (i > 100) throw new Error(`request ${r.key} never got an answer: ${r.status}`);
      if (i > 0) await new Promise((res) => setTimeout(res, 200));
      await send(s, r);
    }
  }
}

async function checkLedger(url: string, reqs: Req[], a: number, b: number) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const ok = reqs.filter((r) => r.status === 201);
    const ids = ok.map((r) => r.transferId!);
    expect(new Set(ids).size).toBe(ok.length); // no two keys share a transfer
    const { rows } = await c.query<{ id: string }>('SELECT id FROM transfers WHERE from_account_id = ANY($1) AND to_account_id = ANY($1)', [
      [a, b],
    ]);
    expect(rows.map((r) => Number(r.id)).sort((x, y) => x - y)).toEqual([...ids].sort((x, y) => x - y)); // each 201 exactly once, nothing else
    expect(reqs.every((r) => r.status === 201 || r.status === 422)).toBe(true);
    const report = await verifyLedger(c);
    expect(report.violations).toEqual([]);
    const { rows: bal } = await c.query<{ s: string }>('SELECT sum(balance)::bigint AS s FROM accounts WHERE id = ANY($1)', [[a, b]]);
    expect(Number(bal[0]!.s)).toBe(2_000_000);
    await checkEvents(c);
    return { answered201: ok.length, refused: reqs.length - ok.length };
  } finally {
    await c.end();
  }
}

/**
 * No event lost to the crash, none twice: what committed before it (its outbox rows) is numbered by the
 * restarted service. Every transfer has its events (a hold: pending, then how it ended), each once, the
 * last one its state now; and the numbering has no hole.
 */
async function checkEvents(c: pg.Client) {
  for (let i = 0; ; i++) {
    const { rows } = await c.query<{ n: string }>('SELECT count(*) AS n FROM event_outbox');
    if (Number(rows[0]!.n) === 0) break;
    if (i > 100) throw new Error(`${rows[0]!.n} events still not numbered 10 s after the restart`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const { rows: events } = await c.query<{ type: string; id: string; status: string }>(
    `SELECT type, data -> 'transfer' ->> 'id' AS id, data -> 'transfer' ->> 'status' AS status
     FROM event_feed WHERE type LIKE 'transfer.%' ORDER BY sequence`,
  );
  const { rows: transfers } = await c.query<{ id: string; status: string }>('SELECT id, status FROM transfers ORDER BY id');
  const last = new Map<string, string>();
  const seen = new Set<string>();
  for (const e of events) {
    expect(seen.has(`${e.id} ${e.type}`)).toBe(false);
    seen.add(`${e.id} ${e.type}`);
    last.set(e.id, e.status);
  }
  expect(Object.fromEntries(last)).toEqual(Object.fromEntries(transfers.map((t) => [t.id, t.status])));
  const { rows: seq } = await c.query<{ n: string; lo: string; hi: string }>(
    'SELECT count(*) AS n, min(sequence) AS lo, max(sequence) AS hi FROM events',
  );
  expect([Number(seq[0]!.lo), Number(seq[0]!.hi)]).toEqual([1, Number(seq[0]!.n)]);
}

function requests(n: number, tokens: Record<string, string>, a: number, b: number, tag: string): Req[] {
  return Array.from({ length: n }, (_, i) => {
    const forward = i % 2 === 0;
    return {
      key: `${tag}-${i}`,
      token: forward ? tokens.crash_a! : tokens.crash_b!,
      body: { from_account_id: forward ? a : b, to_account_id: forward ? b : a, amount: 1 + ((i * 37) % 500), currency: 'USD' },
    };
  });
}

it('SIGKILL of the server mid-load: retried keys replay or run once; every 2xx exists exactly once', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'simplebank-crash-'));
  dirs.push(dataDir);
  const s = await makeServer({ DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(await freePort()) });
  let server = await s.start();
  const { users, a, b } = await fixtures(s);
  const reqs = requests(240, users, a, b, 'kill-server');
  await load(s, reqs, 60, () => server.child.kill('SIGKILL'));
  await server.exited;
  const unanswered = reqs.filter((r) => r.status === undefined).length;
  expect(unanswered).toBeGreaterThan(0); // the crash really cut requests off

  server = await s.start(); // same data folder: the orphaned Postgres is cleared and restarted
  await retryUntilAnswered(s, reqs);
  const embedded = await attachOrStartEmbedded({ dataDir, port: Number(s.env.EMBEDDED_PG_PORT) });
  const result = await checkLedger(embedded.url, reqs, a, b);
  expect(result.answered201).toBeGreaterThan(100);
  server.child.kill('SIGTERM');
  expect(await server.exited).toBe(0);
});

it('the embedded database killed (immediate shutdown) mid-load: 503s, self-restart, retried keys run once', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'simplebank-dbcrash-'));
  dirs.push(dataDir);
  const s = await makeServer({ DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(await freePort()) });
  const server = await s.start();
  const { users, a, b } = await fixtures(s);
  const reqs = requests(240, users, a, b, 'kill-db');
  const postmaster = () => Number(readFileSync(join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
  const killedPid = postmaster();
  await load(s, reqs, 60, () => process.kill(killedPid, 'SIGQUIT'));
  expect(reqs.some((r) => r.status === 503)).toBe(true); // the outage was answered, not hung

  // The service restarts its own Postgres: ready again within 30 s, without a restart of its own.
  const until = Date.now() + 30_000;
  while ((await fetch(`${s.base}/readyz`)).status !== 200) {
    if (Date.now() > until) throw new Error('not ready 30 s after the database was killed');
    await new Promise((r) => setTimeout(r, 200));
  }
  expect(postmaster()).not.toBe(killedPid);
  expect(server.child.exitCode).toBeNull();
  await waitForOutput(server, /embedded Postgres restarted/); // logged once its restart returns, maybe after /readyz answers

  await retryUntilAnswered(s, reqs);
  const embedded = await attachOrStartEmbedded({ dataDir, port: Number(s.env.EMBEDDED_PG_PORT) });
  await checkLedger(embedded.url, reqs, a, b);
  server.child.kill('SIGTERM');
  expect(await server.exited).toBe(0);
});

it('an external database that is down: 503 within seconds, /readyz 503, /healthz 200, and recovery without a restart', async () => {
  const pgDir = await mkdtemp(join(tmpdir(), 'simplebank-extdb-'));
  dirs.push(pgDir);
  const pgPort = await freePort();
  let db = await startEmbeddedPostgres({ dataDir: pgDir, port: pgPort });
  await migrateUp(db.url);
  const s = await makeServer({ DATABASE_URL: db.url, TOKEN_SECRET_KEY: await generateSecretKey(), DATA_DIR: pgDir });
  const server = await s.start();
  const signup = await fetch(
    `${s.base}/users`,
    json({ username: 'ext_user', full_name: 'E', email: 'e@example.com', password: 'ext-password' }),
  );
  expect(signup.status).toBe(201);
  const login = (await (await fetch(`${s.base}/users/login`, json({ username: 'ext_user', password: 'ext-password' }))).json()) as {
    access_token: string;
  };
  const auth = { authorization: `Bearer ${login.access_token}` };

  process.kill(Number(readFileSync(join(pgDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]), 'SIGQUIT');
  await db.exited;

  const t0 = Date.now();
  const down = await fetch(`${s.base}/accounts`, { headers: auth });
  expect(Date.now() - t0).toBeLessThan(10_000);
  expect(down.status).toBe(503);
  expect(((await down.json()) as { code: string }).code).toBe('unavailable');
  const posted = await fetch(`${s.base}/accounts`, json({ currency: 'USD' }, auth));
  expect(posted.status).toBe(503);
  expect((await fetch(`${s.base}/readyz`)).status).toBe(503);
  expect((await fetch(`${s.base}/healthz`)).status).toBe(200);

  db = await startEmbeddedPostgres({ dataDir: pgDir, port: pgPort });
  const until = Date.now() + 30_000;
  while ((await fetch(`${s.base}/readyz`)).status !== 200) {
    if (Date.now() > until) throw new Error('not ready 30 s after the database came back');
    await new Promise((r) => setTimeout(r, 200));
  }
  const opened = await fetch(`${s.base}/accounts`, json({ currency: 'USD' }, auth)); // the old token works too
  expect(opened.status).toBe(201);
  server.child.kill('SIGTERM');
  expect(await server.exited).toBe(0);
  await db.stop();
});

/** A keyed request to any route, its answer kept: for holds and what ends them. */
interface Call {
  path: string;
  key: string;
  token: string;
  body: object;
  status?: number;
  json?: { transfer?: { id: number; status: string; posted_amount: number } };
}

async function call(s: Setup, c: Call): Promise<void> {
  try {
    const res = await fetch(`${s.base}${c.path}`, json(c.body, { authorization: `Bearer ${c.token}`, 'idempotency-key': c.key }));
    c.json = (await res.json()) as Call['json'];
    c.status = res.status;
  } catch {
    c.status = undefined;
  }
}

async function loadCalls(s: Setup, calls: Call[], after: number, fault: () => void) {
  let next = 0;
  let answered = 0;
  let fired = false;
  await Promise.all(
    Array.from({ length: 12 }, async () => {
      while (next < calls.length) {
        const c = calls[next++]!;
        await call(s, c);
        if (c.status !== undefined) answered++;
        if (!fired && answered >= after) {
          fired = true;
          fault();
        }
      }
    }),
  );
}

async function retryCalls(s: Setup, calls: Call[]) {
  for (const c of calls) {
    for (let i = 0; c.status === undefined || c.status >= 500 || c.status === 409; i++) {
      if (i > 100) throw new Error(`${c.path} ${c.key} never got an answer: ${c.status}`);
      if (i > 0) await new Promise((res) => setTimeout(res, 200));
      await call(s, c);
    }
  }
}

it('SIGKILL between holds and their postings: retried keys make each hold once and end it once', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'simplebank-holdcrash-'));
  dirs.push(dataDir);
  const s = await makeServer({ DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(await freePort()) });
  let server = await s.start();
  const { users, a, b } = await fixtures(s);
  const holds: Call[] = Array.from({ length: 120 }, (_, i) => {
    const forward = i % 2 === 0;
    return {
      path: '/transfers',
      key: `hold-${i}`,
      token: forward ? users.crash_a! : users.crash_b!,
      body: { from_account_id: forward ? a : b, to_account_id: forward ? b : a, amount: 100 + i, currency: 'USD', pending: true },
    };
  });
  await loadCalls(s, holds, 30, () => server.child.kill('SIGKILL'));
  await server.exited;
  expect(holds.some((c) => c.status === undefined)).toBe(true); // the crash cut holds off
  server = await s.start();
  await retryCalls(s, holds);
  expect(holds.every((c) => c.status === 201 && c.json?.transfer?.status === 'pending')).toBe(true);

  // Every third hold voided, the rest captured in part (half), under keys of their own; killed again.
  const ends: Call[] = holds.map((h, i) => ({
    path: `/transfers/${h.json!.transfer!.id}/${i % 3 === 0 ? 'void' : 'post'}`,
    key: `end-${i}`,
    token: h.token,
    body: i % 3 === 0 ? {} : { amount: Math.floor((100 + i) / 2) },
  }));
  await loadCalls(s, ends, 30, () => server.child.kill('SIGKILL'));
  await server.exited;
  expect(ends.some((c) => c.status === undefined)).toBe(true);
  server = await s.start();
  await retryCalls(s, ends);
  expect(ends.map((c) => c.status)).toEqual(ends.map(() => 200));

  const embedded = await attachOrStartEmbedded({ dataDir, port: Number(s.env.EMBEDDED_PG_PORT) });
  const c = new pg.Client({ connectionString: embedded.url });
  await c.connect();
  try {
    const ids = holds.map((h) => h.json!.transfer!.id);
    expect(new Set(ids).size).toBe(120); // each hold made once
    const { rows } = await c.query<{ id: string; status: string; posted_amount: string; entries: number }>(
      `SELECT t.id, t.status, t.posted_amount, (SELECT count(*)::int FROM entries e WHERE e.transfer_id = t.id) AS entries
       FROM transfers t WHERE t.from_account_id = ANY($1) AND t.to_account_id = ANY($1) ORDER BY t.id`,
      [[a, b]],
    );
    expect(rows.map((r) => Number(r.id))).toEqual([...ids].sort((x, y) => x - y)); // nothing else was written
    const byId = new Map(rows.map((r) => [Number(r.id), r]));
    holds.forEach((h, i) => {
      const r = byId.get(h.json!.transfer!.id)!;
      if (i % 3 === 0) expect([r.status, Number(r.posted_amount), r.entries]).toEqual(['voided', 0, 0]);
      else expect([r.status, Number(r.posted_amount), r.entries]).toEqual(['posted', Math.floor((100 + i) / 2), 2]);
    });
    expect((await verifyLedger(c)).violations).toEqual([]);
    const { rows: bal } = await c.query<{ s: string }>('SELECT sum(balance)::bigint AS s FROM accounts WHERE id = ANY($1)', [[a, b]]);
    expect(Number(bal[0]!.s)).toBe(2_000_000);
    await checkEvents(c);
  } finally {
    await c.end();
  }
  server.child.kill('SIGTERM');
  expect(await server.exited).toBe(0);
});
