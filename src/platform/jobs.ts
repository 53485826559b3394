// Background jobs, on graphile-worker: a maintained job queue whose jobs live in this same PostgreSQL
// (schema `graphile_worker`, which it installs and migrates itself at start, under an advisory lock, so
// any number of replicas share one queue). It needs a session of its own (LISTEN/NOTIFY for new jobs):
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
//   EVENT_RETENTION.
import { parseCronItems, type Runner, run, type Task, Logger as WorkerLogger } from 'graphile-worker';
import pg from 'pg';
import type { Logger } from 'pino';
import { deleteOldEvents } from '../../generated/events.queries.js';
import { deleteStaleRateLimits } from '../../generated/rate_limits.queries.js';
import { expireHolds } from '../../generated/transfers.queries.js';
import type { Queryable } from '../db/pool.js';
import { deleteExpiredKeys } from '../transfers/idempotency.js';

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
}

export interface Jobs {
  /** Stops taking jobs, waits for the running ones, and closes its connections. */
  stop(): Promise<void>;
}

const EXPIRE = 'expire_holds';
const CLEANUP = 'cleanup';

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
    if (keys + counters + events > 0)
      log.info(
        { idempotencyKeys: keys, rateLimitCounters: counters, events },
        'expired idempotency keys, stale attempt counters and events past their retention deleted',
      );
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
  let runner: Runner;
  try {
    runner = await run({
      pgPool: pool,
      concurrency: 2,
      noHandleSignals: true,
      pollInterval: 2_000,
      logger,
      taskList: { [EXPIRE]: expire, [CLEANUP]: cleanup },
      parsedCronItems: parseCronItems([
        { task: EXPIRE, match: '* * * * *', options: { jobKey: EXPIRE, jobKeyMode: 'replace', backfillPeriod: 0 } },
        { task: CLEANUP, match: '*/10 * * * *', options: { jobKey: CLEANUP, jobKeyMode: 'replace', backfillPeriod: 0 } },
      ]),
    });
    // Start the chain now rather than at the next minute.
    await runner.addJob(EXPIRE, {}, { jobKey: EXPIRE, jobKeyMode: 'replace' });
  } catch (err) {
    await pool.end();
    throw err;
  }
  return {
    async stop() {
      await runner.stop();
      await pool.end();
    },
  };
}
