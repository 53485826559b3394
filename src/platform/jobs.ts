// Background jobs, on graphile-worker: a maintained job queue whose jobs live in this same PostgreSQL
// (schema `graphile_worker`, which it installs and migrates itself at start; any number of replicas
// share one queue). Its install runs in steps, a transaction each: a job added by a request between two
// steps met a half-changed schema (and once crashed a PostgreSQL 15 backend), so each start runs the
// steps first under the exclusive advisory lock 'graphile_worker schema', which the SQL that adds jobs
// (enqueue_job) tries in shared mode (sql/functions/enqueue_job.pgsql). It needs a session of its own (LISTEN/NOTIFY for new jobs):
// DATABASE_SESSION_URL, never a transaction pooler; the tasks do their work on the service's pool.
//
// Jobs:
// - `expire_holds`: marks the holds past their expiry `expired` (sql/transfers.sql, ExpireHolds), in
//   batches of `batch` that lock only those transfers and skip any a ledger call holds, then schedules
//   itself again `intervalMs` later (one job under one key, whatever the number of replicas). A cron
//   entry every minute restarts the chain should it ever break (a crash between the two). The ledger
//   never waits for this: a hold past its expiry reserves nothing by the database's clock alone; the job
//   only makes its status say so (within intervalMs, 15 s by default: the contract's bound is 60 s).
// - `cleanup`, every 10 minutes by the crontab (one run per slot whatever the number of replicas, not a
//   timer in each): Idempotency-Keys past their TTL and attempt counters of windows that ended a day
//   ago are deleted, in small batches that never touch an account row; so are events older than
//   EVENT_RETENTION, and webhook delivery attempts as old.
// - `webhook_fanout`: hands the events numbered since the last run to the webhook endpoints that may
//   see them, as one `deliver_webhook` job each, in the transaction that advances its cursor
//   (sql/functions/fan_out_webhooks.pgsql). Added after every sequencer run of this process that
//   numbered something (while any endpoint exists), and every minute by the crontab.
// - `deliver_webhook`: one attempt (src/webhooks/delivery.ts); its outcome is logged in
//   webhook_deliveries and, when it failed and a delay of WEBHOOK_RETRY_DELAYS is left, the next attempt
//   is scheduled after it — both in one transaction. The job itself keeps graphile-worker's own retries
//   (max 10) only for faults of ours (the database unreachable), never for the receiver's answer.
// - `send_verify_email`: one verification email through SMTP_URL (queued by a sign-up or a change of
//   email in its own transaction: sql/users.sql, QueueVerifyEmail); marked sent once the SMTP server
//   took it (a crash in between sends it again: at least once). A failure is retried by graphile-worker
//   (exponential backoff, 10 attempts) while the code is still good. `verify_email_sweep`, every minute,
//   queues what is still unsent a minute after it was queued (a job lost before the queue existed).
//   Without SMTP_URL nothing is sent, and the service says so once, at start.
//
// A job whose worker died mid-run (SIGKILL, OOM) is not left to graphile-worker's 4-hour lock: each
// process tells PostgreSQL which workers are its own, and a sweep frees the jobs of the others
// (job-liveness.ts), so the job runs again within about 20 s.
import { EventEmitter } from 'node:events';
import { parseCronItems, type Runner, run, runMigrations, type Task, type WorkerEvents, Logger as WorkerLogger } from 'graphile-worker';
import pg from 'pg';
import type { Logger } from 'pino';
import { deleteOldEvents, outboxStats } from '../../generated/events.queries.js';
import { deleteStaleRateLimits } from '../../generated/rate_limits.queries.js';
import { expireHolds } from '../../generated/transfers.queries.js';
import { getVerifyEmailToSend, markVerifyEmailSent, queueUnsentVerifyEmails } from '../../generated/users.queries.js';
import {
  anyWebhookEndpoint,
  deleteOldDeliveries,
  fanOutWebhooks,
  getDelivery,
  recordWebhookDelivery,
} from '../../generated/webhooks.queries.js';
import type { Queryable } from '../db/pool.js';
import { deleteExpiredKeys } from '../transfers/idempotency.js';
import { createMailer, type MailConfig } from '../users/verify-email.mail.js';
import { deliver } from '../webhooks/delivery.js';
import { startJobLiveness } from './job-liveness.js';
import type { Metrics, QueueStats } from './metrics.js';

export interface JobsOptions {
  /** A session connection to the primary (DATABASE_SESSION_URL, else DATABASE_URL). */
  sessionUrl: string;
  /** Where the tasks do their work: the service's pool (the primary, or its pooler). */
  pool: Queryable;
  log: Logger;
  holdExpiry?: { intervalMs?: number; batch?: number };
  /** Told how many holds each run marked expired. */
  onExpired?: (n: number) => void;
  /** How long an Idempotency-Key is kept (IDEMPOTENCY_KEY_TTL): older ones go in the cleanup. */
  idempotencyKeyTtlMs?: number;
  /** How long events are kept (EVENT_RETENTION): older ones go in the cleanup. */
  eventRetentionMs?: number;
  /** Told when a job appended events to the outbox (the expiry's transfer.expired): number them. */
  onAppended?: () => void;
  /**
   * Told when the worker stopped by itself (graphile-worker gives up its pool when the database goes
   * away while it completes a batch of jobs): the caller starts another. Never an unhandled rejection.
   */
  onFailed?: (err: Error) => void;
  /** Metrics: a job attempt that threw (final: given up), and webhook delivery outcomes. */
  metrics?: Pick<Metrics, 'jobFailed' | 'webhookDelivery'>;
  /** Verification emails: unset smtpUrl, none is sent. */
  mail?: MailConfig;
  /** Webhooks: where deliveries may go, the delays between attempts, and whether any endpoint exists (shared). */
  webhooks?: { allowedHosts: Set<string>; retryDelaysMs: number[]; state: { endpointsExist: boolean }; attemptTimeoutMs?: number };
}

export interface Jobs {
  /** Events were numbered: hand them to the webhook endpoints soon (nothing while none exists). */
  fanOut(): void;
  /** Stops taking jobs, waits for the running ones, and closes its connections. */
  stop(): Promise<void>;
}

const EXPIRE = 'expire_holds';
const CLEANUP = 'cleanup';
const FANOUT = 'webhook_fanout';
const DELIVER = 'deliver_webhook';
const SEND_VERIFY = 'send_verify_email';
const VERIFY_SWEEP = 'verify_email_sweep';
let saidMailOff = false;

export async function startJobs(opts: JobsOptions): Promise<Jobs> {
  const intervalMs = opts.holdExpiry?.intervalMs ?? 15_000;
  const batch = opts.holdExpiry?.batch ?? 500;
  const log = opts.log.child({ component: 'jobs' });

  const expire: Task = async (_payload, helpers) => {
    let total = 0;
    // Small batches, each its own short transaction; a run stops after 100 of them (the next goes on).
    for (let i = 0; i < 100; i++) {
      const rows = await expireHolds.run({ limit: batch }, opts.pool);
      total += rows.length;
      if (rows.length < batch) break;
    }
    if (total > 0) log.info({ expired: total }, 'holds past their expiry marked expired');
    opts.onExpired?.(total);
    if (total > 0) opts.onAppended?.();
    await helpers.addJob(EXPIRE, {}, { jobKey: EXPIRE, jobKeyMode: 'replace', runAt: new Date(Date.now() + intervalMs) });
  };

  const cleanup: Task = async () => {
    const keys = await deleteExpiredKeys(opts.pool, opts.idempotencyKeyTtlMs ?? 24 * 3_600_000);
    const counters = (await deleteStaleRateLimits.runWithCounts(undefined, opts.pool)).rowCount;
    const before = new Date(Date.now() - (opts.eventRetentionMs ?? 30 * 86_400_000));
    let events = 0;
    for (let i = 0; i < 1_000; i++) {
      const n = (await deleteOldEvents.runWithCounts({ before, limit: 1_000 }, opts.pool)).rowCount ?? 0;
      events += n;
      if (n < 1_000) break;
    }
    let deliveries = 0;
    for (let i = 0; i < 1_000; i++) {
      const n = (await deleteOldDeliveries.runWithCounts({ before, limit: 1_000 }, opts.pool)).rowCount ?? 0;
      deliveries += n;
      if (n < 1_000) break;
    }
    if (keys + counters + events + deliveries > 0)
      log.info(
        { idempotencyKeys: keys, rateLimitCounters: counters, events, webhookDeliveries: deliveries },
        'expired idempotency keys, stale attempt counters and events past their retention deleted',
      );
  };

  const webhooks = opts.webhooks ?? { allowedHosts: new Set<string>(), retryDelaysMs: [], state: { endpointsExist: false } };
  const fanout: Task = async () => {
    for (let i = 0; i < 100; i++) {
      const [r] = await fanOutWebhooks.run({ limit: 1_000 }, opts.pool);
      if (!r || r.events < 1_000) break;
    }
  };

  const deliverWebhook: Task = async (payload, helpers) => {
    const { endpoint_id: endpointId, sequence, attempt } = payload as { endpoint_id: number; sequence: number; attempt: number };
    const [d] = await getDelivery.run({ endpointId, sequence }, opts.pool);
    if (!d) return; // the endpoint was deleted, or the event is past its retention
    const id = `evt_${d.sequence}`;
    const body = JSON.stringify({ id, sequence: Number(d.sequence), type: d.type, created_at: d.created_at, data: d.data });
    const result = await deliver(d.url, d.secret, id, body, { allowedHosts: webhooks.allowedHosts, timeoutMs: webhooks.attemptTimeoutMs });
    const delay = result.ok ? undefined : webhooks.retryDelaysMs[attempt - 1];
    const outcome = result.ok ? 'delivered' : delay !== undefined ? 'retrying' : 'failed';
    await helpers.withPgClient(async (c) => {
      await c.query('BEGIN');
      try {
        await recordWebhookDelivery.run(
          {
            endpointId,
            sequence,
            attempt,
            outcome,
            statusCode: result.statusCode ?? null,
            error: result.error ?? null,
            durationMs: result.durationMs,
          },
          c,
        );
        if (delay !== undefined) {
          await c.query(
            `SELECT graphile_worker.add_job($1, $2::json, run_at => now() + $3 * interval '1 millisecond', max_attempts => 10, job_key => $4)`,
            [
              DELIVER,
              JSON.stringify({ endpoint_id: endpointId, sequence, attempt: attempt + 1 }),
              delay,
              `webhook:${endpointId}:${sequence}`,
            ],
          );
        }
        await c.query('COMMIT');
      } catch (err) {
        await c.query('ROLLBACK').catch(() => {});
        throw err;
      }
    });
    opts.metrics?.webhookDelivery(outcome);
    if (outcome === 'failed')
      log.warn({ endpointId, event: id, attempt }, `webhook delivery given up: ${result.error ?? result.statusCode}`);
  };

  const mailer = opts.mail ? createMailer(opts.mail) : undefined;
  // Said once per process, however often the worker restarts.
  if (!mailer && !saidMailOff) {
    log.info('SMTP_URL is not set: verification emails are not sent (their links can still be made by an operator)');
    saidMailOff = true;
  }
  const sendVerifyEmail: Task = async (payload) => {
    if (!mailer) return;
    const { id } = payload as { id: number };
    const [m] = await getVerifyEmailToSend.run({ id }, opts.pool);
    if (!m) return; // sent already, used, or expired
    await mailer.send({ id: m.id, email: m.email, fullName: m.full_name, secretCode: m.secret_code });
    await markVerifyEmailSent.run({ id }, opts.pool);
    log.info({ emailId: Number(m.id) }, 'verification email sent');
  };
  const verifySweep: Task = async () => {
    if (!mailer) return;
    const rows = await queueUnsentVerifyEmails.run({ olderThanS: 60 }, opts.pool);
    if (rows.length > 0) log.info({ queued: rows.length }, 'unsent verification emails queued again');
  };

  const pool = new pg.Pool({ connectionString: opts.sessionUrl, max: 4, application_name: 'simple-bank-jobs' });
  // A lost connection (the primary restarting, a failover) is told here, idle or checked out, and the
  // worker takes a new one: nothing throws out of the process.
  const lost = (err: Error) => log.warn(`job queue connection lost: ${err.message}`);
  pool.on('error', lost);
  pool.on('connect', (client) => client.on('error', lost));
  const logger = new WorkerLogger((scope) => (level, message, meta) => {
    const fields = { ...scope, ...(meta ?? {}) };
    if (level === 'error') log.error(fields, message);
    else if (level === 'warning') log.warn(fields, message);
    else log.debug(fields, message);
  });
  // Which workers are alive, told to PostgreSQL: a crashed one's jobs are freed within seconds (job-liveness.ts).
  const liveness = startJobLiveness({ sessionUrl: opts.sessionUrl, pool: opts.pool, log });
  const events: WorkerEvents = new EventEmitter();
  events.on('worker:create', ({ worker }) => liveness.add(worker.workerId));
  let started: Runner | undefined;
  try {
    await installQueue(pool, logger);
    started = await run({
      events,
      pgPool: pool,
      concurrency: 2,
      noHandleSignals: true,
      pollInterval: 2_000,
      logger,
      taskList: {
        [EXPIRE]: expire,
        [CLEANUP]: cleanup,
        [FANOUT]: fanout,
        [DELIVER]: deliverWebhook,
        [SEND_VERIFY]: sendVerifyEmail,
        [VERIFY_SWEEP]: verifySweep,
      },
      parsedCronItems: parseCronItems([
        { task: EXPIRE, match: '* * * * *', options: { jobKey: EXPIRE, jobKeyMode: 'replace', backfillPeriod: 0 } },
        { task: CLEANUP, match: '*/10 * * * *', options: { jobKey: CLEANUP, jobKeyMode: 'replace', backfillPeriod: 0 } },
        { task: FANOUT, match: '* * * * *', options: { jobKey: FANOUT, jobKeyMode: 'replace', backfillPeriod: 0 } },
        { task: VERIFY_SWEEP, match: '* * * * *', options: { jobKey: VERIFY_SWEEP, jobKeyMode: 'replace', backfillPeriod: 0 } },
      ]),
    });
    // Start the chain now rather than at the next minute.
    await started.addJob(EXPIRE, {}, { jobKey: EXPIRE, jobKeyMode: 'replace' });
  } catch (err) {
    // A runner that started is stopped too, or its listener would retry forever on an ended pool.
    await started?.stop().catch(() => {});
    await liveness.stop();
    await pool.end();
    throw err;
  }
  // What a worker killed before this start left locked runs again now (past the grace).
  liveness.sweep().catch((err: Error) => log.debug(`job liveness sweep failed: ${err.message}`));
  const runner = started;
  runner.events.on('job:error', ({ job }) => opts.metrics?.jobFailed(job.task_identifier, job.attempts >= job.max_attempts));
  let stopped = false;
  runner.promise.catch((err: Error) => {
    if (stopped) return;
    log.warn(`the job worker stopped (${err.message}); it is started again`);
    clearInterval(refresh);
    pool.end().catch(() => {});
    liveness.stop().catch(() => {});
    mailer?.close();
    opts.onFailed?.(err);
  });
  // Whether any endpoint exists, as other replicas registered them: asked now and every 5 s.
  const askEndpoints = () =>
    anyWebhookEndpoint
      .run(undefined, opts.pool)
      .then(([r]) => {
        webhooks.state.endpointsExist = r?.any ?? true;
      })
      .catch(() => {});
  void askEndpoints();
  const refresh = setInterval(askEndpoints, 5_000);
  refresh.unref();
  // At most one fan-out job being added at a time, and one more after it.
  let adding = false;
  let again = false;
  const fanOut = () => {
    if (!webhooks.state.endpointsExist) return;
    if (adding) {
      again = true;
      return;
    }
    adding = true;
    again = false;
    runner
      .addJob(FANOUT, {}, { jobKey: FANOUT, jobKeyMode: 'replace' })
      .catch((err: Error) => log.warn(`webhook fan-out not queued (the crontab will): ${err.message}`))
      .finally(() => {
        adding = false;
        if (again) fanOut();
      });
  };
  return {
    fanOut,
    async stop() {
      stopped = true;
      clearInterval(refresh);
      await runner.stop();
      await liveness.stop();
      await pool.end();
      mailer?.close();
    },
  };
}

/**
 * Installs or upgrades graphile-worker's schema under the exclusive advisory lock 'graphile_worker
 * schema' (held on a session of its own while graphile-worker's steps run on others), so that no job
 * is added half-way through (enqueue_job tries the lock shared). Up to date, it is one query.
 */
async function installQueue(pool: pg.Pool, logger: WorkerLogger): Promise<void> {
  const lock = await pool.connect();
  try {
    await lock.query(`SELECT pg_advisory_lock(hashtextextended('graphile_worker schema', 0))`);
    try {
      await runMigrations({ pgPool: pool, logger });
    } finally {
      await lock.query(`SELECT pg_advisory_unlock(hashtextextended('graphile_worker schema', 0))`);
    }
  } finally {
    lock.release();
  }
}

/**
 * The job queue's depth, oldest due job and given-up jobs per task, and the outbox's backlog, for the
 * metrics (read at each scrape). graphile_worker is the queue's own schema (not in the migrations, so
 * not a pgtyped query): before the worker installed it, there are no jobs to count.
 */
export async function readQueueStats(db: Queryable): Promise<QueueStats> {
  const [outbox] = await outboxStats.run(undefined, db);
  const jobs = await db
    .query<{ task: string; ready: number; oldest: number; given_up: number }>(
      `SELECT task_identifier AS task,
              count(*) FILTER (WHERE locked_at IS NULL AND run_at <= now() AND attempts < max_attempts)::int AS ready,
              coalesce(extract(epoch FROM now() - min(run_at) FILTER (
                WHERE locked_at IS NULL AND run_at <= now() AND attempts < max_attempts)), 0)::float8 AS oldest,
              count(*) FILTER (WHERE attempts >= max_attempts)::int AS given_up
       FROM graphile_worker.jobs GROUP BY task_identifier`,
    )
    .then(
      (r) => r.rows,
      () => [],
    );
  return {
    jobs: jobs.map((j) => ({ task: j.task, ready: j.ready, oldestReadyAgeS: j.oldest, givenUp: j.given_up })),
    outbox: { events: outbox?.events ?? 0, oldestAgeS: outbox?.oldest_age_s ?? 0 },
  };
}
