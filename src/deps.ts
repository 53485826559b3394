import type pg from 'pg';
import type { PasswordHasher } from './auth/passwords.js';
import type { RateLimiter } from './auth/rate-limit.js';
import type { SessionGuard } from './auth/sessions.service.js';
import type { TokenMaker } from './auth/tokens.js';
import type { GroupCommit } from './ledger/group-commit.js';

/** What the routes are built from; tests may pass their own. */
export interface AppDeps {
  pool: pg.Pool;
  passwords: PasswordHasher;
  tokens: TokenMaker;
  sessions: SessionGuard;
  /** Attempt counters shared by every replica (in Postgres). */
  limiter: RateLimiter;
  loginLimits: { perUsername: number; perIp: number; windowMs: number };
  signupLimits: { perIp: number; windowMs: number };
  idempotencyKeyTtlMs: number;
  /** Every money movement goes through it (group commit). */
  moneyMover: GroupCommit;
}
