// The job queue and the outbox as the metrics show them: depth, the oldest due job's wait and the jobs
// given up per task, and the events not yet numbered — read from Postgres at each scrape.
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import pino from 'pino';
import { readQueueStats, startJobs } from '../../src/platform/jobs.js';
import { createMetrics } from '../../src/platform/metrics.js';
import { createTestDb, type TestDb } from '../setup/db.js';

let db: TestDb;
beforeAll(async () => {
  db = await createTestDb(4);
});
afterAll(async () => {
  await db.drop();
});

test('queue depth, oldest wait and given-up jobs per task, and the outbox backlog, reach /metrics', async () => {
  // Before the worker ever ran there is no queue to count, and that is not an error.
  expect(await readQueueStats(db.pool)).toEqual({ jobs: [], outbox: { events: 0, oldestAgeS: 0 } });

  // The worker installs its queue; stopped again, jobs added now wait.
  await (await startJobs({ sessionUrl: db.url, pool: db.pool, log: pino({ level: 'silent' }) })).stop();
  await db.pool.query(`DELETE FROM graphile_worker._private_jobs`);
  await db.pool.query(`SELECT graphile_worker.add_job('deliver_webhook', '{}'::json, run_at => now() - interval '90 seconds')`);
  await db.pool.query(`SELECT graphile_worker.add_job('deliver_webhook', '{}'::json, run_at => now() - interval '10 seconds')`);
  await db.pool.query(`SELECT graphile_worker.add_job('deliver_webhook', '{}'::json, run_at => now() + interval '1 hour')`);
  await db.pool.query(`SELECT graphile_worker.add_job('send_verify_email', '{}'::json, max_attempts => 1)`);
  await db.pool.query(`UPDATE graphile_worker._private_jobs SET attempts = 1 WHERE max_attempts = 1`);
  await db.pool.query(
    `INSERT INTO event_outbox (types, transfer_ids, datas, owners_a, owners_b, created_at) VALUES
       (ARRAY['account.opened'], ARRAY[NULL::bigint], ARRAY['{}'::json], ARRAY['x'], ARRAY[NULL::text], now() - interval '30 seconds'),
       (ARRAY['account.opened', 'account.opened'], ARRAY[NULL::bigint, NULL], ARRAY['{}'::json, '{}'], ARRAY['x', 'x'], ARRAY[NULL::text, NULL], now())`,
  );

  const stats = await readQueueStats(db.pool);
  const byTask = Object.fromEntries(stats.jobs.map((j) => [j.task, j]));
  expect(byTask.deliver_webhook).toMatchObject({ ready: 2, givenUp: 0 });
  expect(byTask.deliver_webhook!.oldestReadyAgeS).toBeGreaterThanOrEqual(90);
  expect(byTask.deliver_webhook!.oldestReadyAgeS).toBeLessThan(150);
  expect(byTask.send_verify_email).toMatchObject({ ready: 0, givenUp: 1, oldestReadyAgeS: 0 });
  expect(stats.outbox.events).toBe(3);
  expect(stats.outbox.oldestAgeS).toBeGreaterThanOrEqual(30);

  const metrics = createMetrics();
  metrics.watch({ queues: { read: () => readQueueStats(db.pool) }, events: { waiting: 3 } });
  metrics.jobFailed('send_verify_email', true);
  metrics.webhookDelivery('retrying');
  metrics.eventsNumbered(5);
  const { body } = await metrics.exposition();
  expect(body).toMatch(/^simplebank_jobs_ready\{task="deliver_webhook"\} 2$/m);
  expect(body).toMatch(/^simplebank_jobs_given_up\{task="send_verify_email"\} 1$/m);
  expect(body).toMatch(/^simplebank_jobs_oldest_ready_age_seconds\{task="deliver_webhook"\} (9\d|1[0-4]\d)(\.\d+)?$/m);
  expect(body).toMatch(/^simplebank_event_outbox_events 3$/m); // three events, in two rows (writing statements)
  expect(body).toMatch(/^simplebank_event_waiters 3$/m);
  expect(body).toMatch(/^simplebank_job_failures_total\{task="send_verify_email",final="true"\} 1$/m);
  expect(body).toMatch(/^simplebank_webhook_deliveries_total\{outcome="retrying"\} 1$/m);
  expect(body).toMatch(/^simplebank_events_numbered_total 5$/m);
});
