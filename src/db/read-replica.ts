// Reads from a streaming replica, with the primary behind it. A caller sees its own writes at once
// because, while a replica is configured, every write commits with synchronous_commit = remote_apply
// (the synchronous standby has applied it before the answer; see src/db/transaction.ts and the
// ledger). A replica that is down, refuses, or does not answer within its short bound never fails a
// read: the read runs on the primary, and the replica is left alone for a few seconds.
import type pg from 'pg';
import { isUnavailable } from './pg-errors.js';
import { connectionSurvives, type Queryable } from './pool.js';

export interface ReadRouter extends Pick<pg.Pool, 'query'> {
  /** Reads answered by the replica, and by the primary in its place. */
  readonly counts: { replica: number; fallback: number };
}

/** How long a failed replica is skipped before it is tried again. */
const SKIP_MS = 5_000;

export function createReadRouter(primary: Queryable, replica: Queryable, onFallback?: (err: Error) => void): ReadRouter {
  let skipUntil = 0;
  const counts = { replica: 0, fallback: 0 };
  async function query(text: string | pg.QueryConfig, values?: unknown[]): Promise<pg.QueryResult> {
    if (Date.now() >= skipUntil) {
      try {
        const result = await replica.query(text as string, values);
        counts.replica++;
        return result;
      } catch (err) {
        // A SQL error of the query itself would be the same on the primary: it is the answer.
        if (connectionSurvives(err) && !isUnavailable(err)) throw err;
        skipUntil = Date.now() + SKIP_MS;
        onFallback?.(err as Error);
      }
    }
    counts.fallback++;
    return primary.query(text as string, values);
  }
  return { query: query as ReadRouter['query'], counts };
}
