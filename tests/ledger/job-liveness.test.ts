// A job whose worker died (SIGKILL, OOM) is taken up again within seconds, not after graphile-worker's
// 4 hours: each process holds an advisory lock per worker id of its own while it lives
// (src/platform/job-liveness.ts), and a sweep frees the jobs of worker ids whose lock nobody holds.
// A job of a worker that is alive (its lock held) is left to it.
import pg from 'pg';
import pino from 'pino';
import { JOB_WORKER_LOCKS } from '../../src/platform/job-liveness.js';
import { type Jobs, startJobs } from '../../src/platform/jobs.js';
import { createTestDb, type TestDb } from '../setup/db.js';

let db: TestDb;
let jobs: Jobs | undefined;
const log = pino({ level: 'silent' });
beforeAll(async () => {
  db = await createTestDb();
});
afterAll(async () => {
  await jobs?.stop();
  await db.drop();
});

it("a dead worker's locked job runs again at the next start; a live worker's stays with it", async () => {
  // The queue's schema, installed by a first start.
  jobs = await startJobs({ sessionUrl: db.url, pool: db.pool, log });
  await jobs.stop();
  jobs = undefined;
  // Two cleanup jobs, each locked a minute ago by a worker that is gone from the queue's view:
  // 'worker-dead' holds no lock; 'worker-alive' is held by a session of this test (as a live process's).
  const alive = new pg.Client({ connectionString: db.url });
  await alive.connect();
  try {
    await alive.query('SELECT pg_advisory_lock($1, hashtext($2))', [JOB_WORKER_LOCKS, 'worker-alive']);
    const add = async (worker: string) => {
      const { rows } = await db.pool.query<{ id: string }>(
        `SELECT id::text FROM graphile_worker.add_job('cleanup', '{}'::json, job_key => $1)`,
        [`liveness-${worker}`],
      );
      await db.pool.query(
        `UPDATE graphile_worker._private_jobs SET locked_by = $2, locked_at = now() - interval '1 minute', attempts = 1 WHERE id = $1`,
        [rows[0]!.id, worker],
      );
      return rows[0]!.id;
    };
    const dead = await add('worker-dead');
    const live = await add('worker-alive');
    const exists = async (id: string) => (await db.pool.query('SELECT 1 FROM graphile_worker.jobs WHERE id = $1', [id])).rowCount === 1;

    jobs = await startJobs({ sessionUrl: db.url, pool: db.pool, log });
    // The start's sweep frees the dead worker's job; the worker runs it (a cleanup completes and is gone).
    const until = Date.now() + 15_000;
    while ((await exists(dead)) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    expect(await exists(dead)).toBe(false);
    const { rows } = await db.pool.query<{ locked_by: string | null }>('SELECT locked_by FROM graphile_worker.jobs WHERE id = $1', [live]);
    expect(rows).toEqual([{ locked_by: 'worker-alive' }]);

    // Its process gone (the session ends, and with it the lock): the next sweep frees that one too.
    await alive.end();
    const until2 = Date.now() + 25_000;
    while ((await exists(live)) && Date.now() < until2) await new Promise((r) => setTimeout(r, 200));
    expect(await exists(live)).toBe(false);
  } finally {
    await alive.end().catch(() => {});
  }
}, 60_000);

it("a running worker's own jobs are never freed: its ids are locked while it lives", async () => {
  jobs ??= await startJobs({ sessionUrl: db.url, pool: db.pool, log });
  // The runner's workers hold their locks (two: concurrency 2), on a session named for it.
  const until = Date.now() + 5_000;
  let held = 0;
  while (held < 2 && Date.now() < until) {
    const { rows } = await db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
       WHERE l.locktype = 'advisory' AND l.classid = $1::int::oid AND l.granted
         AND a.application_name = 'simple-bank-job-liveness' AND a.datname = current_database()`,
      [JOB_WORKER_LOCKS],
    );
    held = rows[0]!.n;
    if (held < 2) await new Promise((r) => setTimeout(r, 100));
  }
  expect(held).toBe(2);
});
