// Fixed-window attempt counters kept in Postgres, so every replica counts the same attempts (the
// limits do not multiply with the replicas). Login counts every attempt per client IP and per
// username, sign-up per client IP; any key over its limit answers 429 with Retry-After.
import { deleteStaleRateLimits, hitRateLimits } from '../../generated/rate_limits.queries.js';
import type { Queryable } from '../db/pool.js';
import { RateLimitedError } from '../errors.js';

export interface Limit {
  key: string;
  max: number;
}

export type RateLimiter = ReturnType<typeof createRateLimiter>;

export function createRateLimiter(db: Queryable) {
  return {
    /** Counts one attempt for every key in a window of `windowMs`; throws RateLimitedError when any is over its limit. */
    async hit(windowMs: number, ...limits: Limit[]): Promise<void> {
      const sorted = [...limits].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      const rows = await hitRateLimits.run({ keys: sorted.map((l) => l.key), windowS: windowMs / 1000 }, db);
      let retryAfterS = 0;
      for (const r of rows) {
        const limit = sorted.find((l) => l.key === r.key);
        if (limit && r.hits > limit.max) retryAfterS = Math.max(retryAfterS, r.retry_after_s);
      }
      if (retryAfterS > 0) throw new RateLimitedError(retryAfterS);
    },
    /** Drops counters of windows that ended a day ago. */
    async sweep(): Promise<number> {
      return (await deleteStaleRateLimits.runWithCounts(undefined, db)).rowCount;
    },
  };
}
