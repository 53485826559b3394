// The expiry job on the Postgres job queue (graphile-worker, src/platform/jobs.ts): holds past their
// expiry are marked `expired` without anyone asking, in batches, and the chain survives a restart.
import pino from 'pino';
import { asCents, type TransferId } from '../../src/ids.js';
import { type Jobs, startJobs } from '../../src/platform/jobs.js';
import { verifyLedger } from '../../src/transfers/ledger.verify.js';
import { createTestDb, type TestDb } from '../setup/db.js';
import { makeAccount, makeUser } from '../setup/fixtures.js';
import { hold } from '../setup/ledger.js';

let db: TestDb;
let jobs: Jobs | undefined;
const log = pino({ level: 'silent' });
beforeAll(async () => {
  db = await createTestDb();
});
afterEach(async () => {
  await jobs?.stop();
  jobs = undefined;
});
afterAll(async () => {
  expect((await verifyLedger(db.pool)).violations).toEqual([]);
  await db.drop();
});

async function statuses(ids: TransferId[]): Promise<Record<string, number>> {
  const { rows } = await db.pool.query<{ status: string; n: number }>(
    'SELECT status, count(*)::int AS n FROM transfers WHERE id = ANY($1) GROUP BY status',
    [ids],
  );
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

async function until(check: () => Promise<boolean>, ms: number): Promise<number> {
  const start = Date.now();
  while (Date.now() - start < ms) {
    if (await check()) return Date.now() - start;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`not within ${ms} ms`);
}

it('a hold that lapses is marked expired by the job, without a request, within its interval', async () => {
  const u = await makeUser(db.pool, 'exp');
  const from = (await makeAccount(db.pool, u, 'USD', 1_000)).id;
  const to = (await makeAccount(db.pool, await makeUser(db.pool, 'exq'), 'USD')).id;
  const expired: number[] = [];
  jobs = await startJobs({ sessionUrl: db.url, pool: db.pool, log, holdExpiry: { intervalMs: 300 }, onExpired: (n) => expired.push(n) });
  const lapsing = await hold(db.pool, { fromAccountId: from, toAccountId: to, amount: asCents(100), currency: 'USD', timeoutSeconds: 1 });
  const living = await hold(db.pool, { fromAccountId: from, toAccountId: to, amount: asCents(100), currency: 'USD', timeoutSeconds: 600 });
  expect(await statuses([lapsing, living])).toEqual({ pending: 2 });
  // Expires 1 s after it was made; the job runs every 300 ms: marked within 1 s + 300 ms + a poll.
  const waited = await until(async () => (await statuses([lapsing])).expired === 1, 5_000);
  expect(waited).toBeLessThan(5_000);
  expect(await statuses([living])).toEqual({ pending: 1 });
  expect(expired.reduce((a, b) => a + b, 0)).toBe(1);
});

it('1,200 lapsed holds are marked in batches of 500, each once; the job then goes on as one chain after a restart', async () => {
  const u = await makeUser(db.pool, 'exb');
  const from = (await makeAccount(db.pool, u, 'USD', 100_000)).id;
  const to = (await makeAccount(db.pool, await makeUser(db.pool, 'exc'), 'USD')).id;
  const ids: TransferId[] = [];
  for (let i = 0; i < 1_200; i++)
    ids.push(await hold(db.pool, { fromAccountId: from, toAccountId: to, amount: asCents(1), currency: 'USD' }));
  await db.pool.query("UPDATE transfers SET expires_at = now() - interval '1 second' WHERE id = ANY($1)", [ids]);
  const runs: number[] = [];
  jobs = await startJobs({
    sessionUrl: db.url,
    pool: db.pool,
    log,
    holdExpiry: { intervalMs: 200, batch: 500 },
    onExpired: (n) => runs.push(n),
  });
  await until(async () => (await statuses(ids)).expired === 1_200, 10_000);
  // Each hold marked once, whichever run took it (two may overlap: each skips what the other locked).
  expect(runs.reduce((a, b) => a + b, 0)).toBe(1_200);
  await jobs.stop();
  // Restarted (a new replica, a deploy): the one job under its key goes on; no pile of duplicates.
  jobs = await startJobs({ sessionUrl: db.url, pool: db.pool, log, holdExpiry: { intervalMs: 200 } });
  // Sampled for 2 s: at most one job waits under the key, and no more run than the worker's concurrency
  // (2). A run that finds its successor running adds the next one beside it (graphile-worker clears the
  // key of a locked job), so three rows can be seen for an instant: two running, one waiting.
  // Running rows are counted per worker (locked_by), and the rows of the busiest moment are kept so that
  // a failure shows who held what.
  const seen = { queued: 0, runningPerWorker: 0, rows: [] as unknown[] };
  for (const end = Date.now() + 2_000; Date.now() < end; ) {
    const { rows } = await db.pool.query<{ id: string; key: string | null; locked_by: string | null; run_at: Date }>(
      `SELECT id, key, locked_by, run_at FROM graphile_worker.jobs WHERE task_identifier = 'expire_holds'`,
    );
    const queued = rows.filter((r) => r.locked_by === null).length;
    const perWorker = new Map<string, number>();
    for (const r of rows) if (r.locked_by !== null) perWorker.set(r.locked_by, (perWorker.get(r.locked_by) ?? 0) + 1);
    const running = Math.max(0, ...perWorker.values());
    if (queued > seen.queued || running > seen.runningPerWorker) seen.rows = rows;
    seen.queued = Math.max(seen.queued, queued);
    seen.runningPerWorker = Math.max(seen.runningPerWorker, running);
    await new Promise((r) => setTimeout(r, 20));
  }
  const sample = JSON.stringify(seen.rows);
  expect(`${seen.queued} queued: ${sample}`).toBe(`1 queued: ${sample}`);
  expect(seen.runningPerWorker <= 2 ? 'within concurrency' : `${seen.runningPerWorker} running: ${sample}`).toBe('within concurrency');
  const more = await hold(db.pool, { fromAccountId: from, toAccountId: to, amount: asCents(1), currency: 'USD', timeoutSeconds: 1 });
  await until(async () => (await statuses([more])).expired === 1, 5_000);
});

it('the cleanup job deletes Idempotency-Keys past their TTL and stale attempt counters, and nothing live', async () => {
  const u = await makeUser(db.pool, 'cln');
  const fresh = { username: u, key: 'fresh-key' };
  const old = { username: u, key: 'old-key' };
  for (const [k, age] of [
    [fresh, '1 hour'],
    [old, '25 hours'],
  ] as const) {
    await db.pool.query(
      `INSERT INTO idempotency_keys (username, key, fingerprint, status, response, created_at)
       VALUES ($1, $2, '\\x00', 201, '{}', now() - $3::interval)`,
      [k.username, k.key, age],
    );
  }
  await db.pool.query(
    "INSERT INTO rate_limits (key, window_start, hits) VALUES ('login-ip:stale', now() - interval '2 days', 3), ('login-ip:live', now(), 1)",
  );
  jobs = await startJobs({ sessionUrl: db.url, pool: db.pool, log, idempotencyKeyTtlMs: 24 * 3_600_000 });
  // The crontab runs it every 10 minutes; asked for now, as a replica's cron would.
  await db.pool.query("SELECT graphile_worker.add_job('cleanup')");
  await until(async () => {
    const { rows } = await db.pool.query<{ n: number }>(
      "SELECT (SELECT count(*) FROM idempotency_keys WHERE key = 'old-key') + (SELECT count(*) FROM rate_limits WHERE key = 'login-ip:stale') AS n",
    );
    return Number(rows[0]!.n) === 0;
  }, 10_000);
  const left = await db.pool.query<{ key: string }>('SELECT key FROM idempotency_keys WHERE username = $1', [u]);
  expect(left.rows.map((r) => r.key)).toEqual(['fresh-key']);
  const counters = await db.pool.query<{ key: string }>("SELECT key FROM rate_limits WHERE key LIKE 'login-ip:%' ORDER BY key");
  expect(counters.rows.map((r) => r.key)).toEqual(['login-ip:live']);
});
