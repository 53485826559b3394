// graphile-worker installs (and upgrades) its schema in steps, a transaction each, when a worker starts.
// A request that queued a job between two steps met a table being replaced: "could not open relation
// with OID …", "column task_identifier does not exist", and once on PostgreSQL 15 a segfault of the
// backend running add_job (the whole server restarted: seen in the bench, sign-ups during a first
// start). The steps now run under an exclusive advisory lock that enqueue_job tries in shared mode: a
// job queued during the install is left to the sweep (enqueue_job → false), never added half-way.
import pg from 'pg';
import pino from 'pino';
import { type Jobs, startJobs } from '../../src/platform/jobs.js';
import { createTestDb, type TestDb } from '../setup/db.js';

let db: TestDb;
let jobs: Jobs | undefined;
beforeAll(async () => {
  db = await createTestDb();
});
afterAll(async () => {
  await jobs?.stop();
  await db.drop();
});

it('jobs queued while the worker installs the queue are added whole or left to the sweep: no warning, no error', async () => {
  const clients = await Promise.all(
    Array.from({ length: 4 }, async () => {
      const c = new pg.Client({ connectionString: db.url });
      await c.connect();
      return c;
    }),
  );
  const warnings: string[] = [];
  const errors: string[] = [];
  for (const c of clients) {
    c.on('notice', (n) => {
      if (n.severity === 'WARNING') warnings.push(n.message ?? '');
    });
    c.on('error', (e) => errors.push(e.message));
  }
  let installing = true;
  let i = 0;
  const results: boolean[] = [];
  const loops = clients.map(async (c) => {
    while (installing) {
      const n = i++;
      try {
        const { rows } = await c.query<{ q: boolean }>(
          `SELECT enqueue_job('send_verify_email', json_build_object('id', $1::int), 'install-race:' || $1) AS q`,
          [n],
        );
        results.push(rows[0]!.q);
      } catch (err) {
        errors.push((err as Error).message);
        return;
      }
    }
  });
  jobs = await startJobs({ sessionUrl: db.url, pool: db.pool, log: pino({ level: 'silent' }) });
  await new Promise((r) => setTimeout(r, 300));
  installing = false;
  await Promise.all(loops);
  await Promise.all(clients.map((c) => c.end().catch(() => {})));

  expect({ warnings: [...new Set(warnings)], errors: [...new Set(errors)] }).toEqual({ warnings: [], errors: [] });
  expect(results.length).toBeGreaterThan(20); // the calls did overlap the install
  expect(results.at(-1)).toBe(true); // once installed, jobs are added
  // Every job reported added is in the queue.
  const { rows } = await db.pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM graphile_worker.jobs WHERE key LIKE 'install-race:%'`,
  );
  expect(rows[0]!.n).toBeGreaterThanOrEqual(1);
});
