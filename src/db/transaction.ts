// Transactions are callbacks opened at the edge: begin, commit, roll back, and retry the whole
// callback on deadlock (40P01) or serialization failure (40001) a bounded number of times. Errors
// leave as Postgres raised them; the operation boundary (src/operations.ts) translates them.
import type pg from 'pg';
import { tracing } from '../platform/tracing.js';
import { isRetryable } from './pg-errors.js';
import { connectionSurvives } from './pool.js';

export type Tx = pg.PoolClient;

export interface RetryOptions {
  /** Attempts in all, the first included. */
  attempts?: number;
  /** Base of the jittered exponential back-off, in ms. */
  baseDelayMs?: number;
  /** Told of each retry (metrics). */
  onRetry?: (reason: 'deadlock' | 'serialization') => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `fn`, repeating it on a retryable SQLSTATE with full-jitter back-off; then the last error as it was. */
export async function withRetry<T>(fn: () => Promise<T>, opts: RetryOptions = {}): Promise<T> {
  const attempts = opts.attempts ?? 6;
  const base = opts.baseDelayMs ?? 4;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt < attempts && isRetryable(err)) {
        opts.onRetry?.((err as { code?: string }).code === '40P01' ? 'deadlock' : 'serialization');
        await sleep(Math.random() * base * 2 ** attempt);
        continue;
      }
      throw err;
    }
  }
}

/** The client as `fn` sees it: each query a database span (tracing off: the client itself). */
function traced(client: pg.PoolClient): Tx {
  if (!tracing.enabled) return client;
  return new Proxy(client, {
    get(target, prop, receiver) {
      if (prop !== 'query') return Reflect.get(target, prop, receiver);
      return (text: string | pg.QueryConfig, values?: unknown[]) =>
        tracing.db(typeof text === 'string' ? text : text.text, () => target.query(text as string, values));
    },
  });
}

export interface TransactionOptions extends RetryOptions {
  isolation?: 'READ COMMITTED' | 'REPEATABLE READ' | 'SERIALIZABLE';
  /** Commit only once the synchronous standby has applied it (a read replica then shows it at once). */
  remoteApply?: boolean;
}

/**
 * `BEGIN … COMMIT` around `fn(tx)`; nothing inside may call the pool. `fn` may run more than once.
 * The transaction bounds itself (SET LOCAL: it holds through a transaction-mode pooler, where a
 * connection's settings do not): 5 s per statement, 4 s waiting for a lock.
 */
export function withTransaction<T>(pool: pg.Pool, fn: (tx: Tx) => Promise<T>, opts: TransactionOptions = {}): Promise<T> {
  const begin = [
    opts.isolation ? `BEGIN ISOLATION LEVEL ${opts.isolation}` : 'BEGIN',
    "SET LOCAL statement_timeout = '5s'",
    "SET LOCAL lock_timeout = '4s'",
    ...(opts.remoteApply ? ['SET LOCAL synchronous_commit = remote_apply'] : []),
  ].join('; ');
  return withRetry(async () => {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      // Every statement of the transaction is a span of its own when tracing is on.
      const tx = traced(client);
      await tx.query(begin);
      const result = await fn(tx);
      await tx.query('COMMIT');
      return result;
    } catch (err) {
      if (!connectionSurvives(err)) {
        broken = err as Error; // lost, refused or timed out: no ROLLBACK to wait for, drop the connection
        throw err;
      }
      try {
        await client.query('ROLLBACK');
      } catch (rollbackErr) {
        broken = rollbackErr as Error; // the connection is unusable: drop it from the pool
      }
      throw err;
    } finally {
      client.release(broken);
    }
  }, opts);
}
