// Fixed-window attempt counters kept in memory (one process). Login counts every attempt per
// client IP and per username; either one over its limit answers 429 with Retry-After.
import { DomainError } from '../db/errors.js';

export class RateLimitedError extends DomainError {
  readonly code = 'rate_limited';
  readonly status = 429;
  constructor(readonly retryAfterS: number) {
    super(`too many attempts; retry in ${retryAfterS} s`);
  }
}

export function createRateLimiter(opts: { windowMs: number; now?: () => number }) {
  const now = opts.now ?? Date.now;
  const windows = new Map<string, { count: number; resetAt: number }>();
  let lastSweep = now();

  function sweep(t: number) {
    if (t - lastSweep < opts.windowMs) return;
    lastSweep = t;
    for (const [k, w] of windows) if (w.resetAt <= t) windows.delete(k);
  }

  return {
    /** Counts one attempt for every key; throws RateLimitedError when any key is over its limit. */
    hit(...limits: { key: string; max: number }[]): void {
      const t = now();
      sweep(t);
      let retryAt = 0;
      for (const { key, max } of limits) {
        let w = windows.get(key);
        if (!w || w.resetAt <= t) {
          w = { count: 0, resetAt: t + opts.windowMs };
          windows.set(key, w);
        }
        w.count++;
        if (w.count > max) retryAt = Math.max(retryAt, w.resetAt);
      }
      if (retryAt) throw new RateLimitedError(Math.max(1, Math.ceil((retryAt - t) / 1000)));
    },
  };
}
