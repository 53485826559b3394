// Fixed-window attempt counters kept in Postgres, so every replica counts the same attempts (the
// limits do not multiply with the replicas). Login counts every attempt per client IP and per
// username, sign-up per client IP; any key over its limit answers 429 with Retry-After. Counters of
// windows that ended a day ago are deleted by the cleanup job (src/platform/jobs.ts).
import { hitRateLimits } from '../../generated/rate_limits.queries.js';
import type { Queryable } from '../db/pool.js';
import { RateLimitedError } from '../errors.js';

export interface Limit {
  key: string;
  max: number;
}

export type RateLimiter = ReturnType<typeof createRateLimiter>;

/** The limit a counter key belongs to, for metrics: its prefix (`login-ip:…` → login), never the key. */
const LIMITS: Record<string, string> = { login: 'login', signup: 'signup', pwchange: 'password_change' };

export function createRateLimiter(db: Queryable, onRefused?: (limit: string) => void) {
  return {
    /**
     * Counts one attempt in a window of `windowMs` for the gate (the first limit, e.g. the client IP's)
     * and, unless the gate refuses it, for every other key; throws RateLimitedError when any counted key
     * is over its limit. An attempt the gate refuses stores nothing more.
     */
    async hit(windowMs: number, gate: Limit, ...limits: Limit[]): Promise<void> {
      const sorted = limits.filter((l) => l.key !== gate.key).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      const rows = await hitRateLimits.run(
        { gateKey: gate.key, gateMax: gate.max, keys: sorted.map((l) => l.key), windowS: windowMs / 1000 },
        db,
      );
      let retryAfterS = 0;
      let refused: string | undefined;
      for (const r of rows) {
        const limit = r.key === gate.key ? gate : sorted.find((l) => l.key === r.key);
        if (limit && r.hits > limit.max) {
          retryAfterS = Math.max(retryAfterS, r.retry_after_s);
          refused ??= LIMITS[r.key.split(/[-:]/, 1)[0]!] ?? 'other';
        }
      }
      if (retryAfterS > 0) {
        onRefused?.(refused!);
        throw new RateLimitedError(retryAfterS);
      }
    },
  };
}
