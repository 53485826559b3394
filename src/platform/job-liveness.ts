// Jobs of a worker that died are taken up again within seconds, not hours.
//
// graphile-worker marks each job it runs with the running worker's id (`locked_by`) and, if that worker
// never finishes it (SIGKILL, the OOM killer, a node lost), leaves it locked for 4 hours before any
// other worker may take it: a webhook delivery cut by a crash would wait that long. It does not know
// which workers are alive; PostgreSQL does. So each process holds, on a session connection of its own,
// one advisory lock per worker id of its runner (two-key form: JOB_WORKER_LOCKS and hashtext(id)),
// for as long as it lives; PostgreSQL drops the locks with the session, whatever killed the process.
// A sweep, run by every replica at its start and every SWEEP_MS, frees the jobs locked more than
// GRACE_MS ago by a worker id whose lock nobody holds (graphile_worker.force_unlock_workers): they run
// again at once. The grace covers a live worker whose liveness session is being re-established (a
// blip, a failover): a job freed from a worker that was still alive runs twice, which every task
// tolerates (at least once: a delivery keeps its webhook-id; an email marked sent is not sent again).
import pg from 'pg';
import type { Logger } from 'pino';
import type { Queryable } from '../db/pool.js';

/** The advisory locks' first key: names this use (the second is hashtext of the worker id). */
export const JOB_WORKER_LOCKS = 0x5b0b_0001;
const SWEEP_MS = 10_000;
const GRACE_MS = 10_000;

export interface JobLiveness {
  /** A worker id of this process's runner: held until stop. */
  add(workerId: string): void;
  /** Frees the jobs of dead workers now; resolves to how many worker ids were dead. */
  sweep(): Promise<number>;
  stop(): Promise<void>;
}

export function startJobLiveness(opts: {
  sessionUrl: string;
  /** Where the sweep runs (any connection to the primary). */
  pool: Queryable;
  log: Logger;
  graceMs?: number;
  sweepMs?: number;
}): JobLiveness {
  const ids = new Set<string>();
  let client: pg.Client | undefined;
  let connecting: Promise<void> | undefined;
  let stopped = false;
  let retry: NodeJS.Timeout | undefined;
  let failing = false; // said once per outage, not at every retry

  const lock = (c: pg.Client, id: string) =>
    c.query('SELECT pg_advisory_lock($1, hashtext($2))', [JOB_WORKER_LOCKS, id]).then(() => undefined);
  // One session, re-established after any loss with every lock taken again.
  const connect = (): Promise<void> =>
    (connecting ??= (async () => {
      const c = new pg.Client({ connectionString: opts.sessionUrl, application_name: 'simple-bank-job-liveness' });
      c.on('error', (err) => {
        if (!failing) opts.log.warn(`job liveness session lost (${err.message}); reopened every second`);
        failing = true;
        if (client === c) client = undefined;
        c.end().catch(() => {});
        schedule();
      });
      try {
        await c.connect();
        for (const id of ids) await lock(c, id);
        if (stopped) await c.end();
        else client = c;
        if (failing) opts.log.info('job liveness session open again');
        failing = false;
      } catch (err) {
        c.end().catch(() => {});
        if (!failing) opts.log.warn(`job liveness session not opened (${(err as Error).message}); retried every second`);
        failing = true;
        schedule();
      } finally {
        connecting = undefined;
      }
    })());
  const schedule = () => {
    if (stopped || retry) return;
    retry = setTimeout(() => {
      retry = undefined;
      void connect();
    }, 1_000);
    retry.unref();
  };
  void connect();

  const sweep = async (): Promise<number> => {
    const { rows } = await opts.pool.query<{ dead: string[] | null }>(
      `WITH dead AS (
         SELECT DISTINCT j.locked_by AS id FROM graphile_worker.jobs j
         WHERE j.locked_by IS NOT NULL AND j.locked_at < now() - $1 * interval '1 millisecond'
           AND NOT EXISTS (
             SELECT 1 FROM pg_locks l
             WHERE l.locktype = 'advisory' AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
               AND l.classid = $2::int::oid AND l.objid = hashtext(j.locked_by)::oid AND l.objsubid = 2 AND l.granted))
       SELECT array_agg(id) AS dead FROM dead`,
      [opts.graceMs ?? GRACE_MS, JOB_WORKER_LOCKS],
    );
    const dead = rows[0]?.dead ?? [];
    if (dead.length === 0) return 0;
    await opts.pool.query('SELECT graphile_worker.force_unlock_workers($1::text[])', [dead]);
    opts.log.warn({ workers: dead }, `jobs of ${dead.length} stopped job worker(s) freed: they run again`);
    return dead.length;
  };
  const timer = setInterval(() => {
    sweep().catch((err: Error) => opts.log.debug(`job liveness sweep failed: ${err.message}`));
  }, opts.sweepMs ?? SWEEP_MS);
  timer.unref();

  return {
    add(workerId) {
      ids.add(workerId);
      // Once the session is open (a session opened meanwhile may have locked it already: advisory locks
      // stack in a session, and all go with it). A lost session locks every id again on reconnect.
      void (connecting ?? Promise.resolve()).then(() => (client ? lock(client, workerId) : undefined)).catch(() => {});
    },
    sweep,
    async stop() {
      stopped = true;
      clearInterval(timer);
      if (retry) clearTimeout(retry);
      await connecting;
      await client?.end().catch(() => {});
      client = undefined;
    },
  };
}
