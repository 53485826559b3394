// What every operation is given, whatever the transport: its dependencies, and who is calling.
import type pg from 'pg';
import type { PasswordHasher } from './auth/passwords.js';
import type { RateLimiter } from './auth/rate-limit.js';
import type { SessionGuard } from './auth/sessions.service.js';
import type { AccessClaims, TokenMaker } from './auth/tokens.js';
import type { GroupCommit } from './transfers/group-commit.js';

/** What the operations are built from; tests may pass their own. */
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

/** Where an anonymous call comes from, as the transport saw it (rate limits, the session's record). */
export interface Origin {
  clientIp: string;
  userAgent: string;
}

/**
 * An authenticated caller: the claims of a verified access token of a live session, with the role the
 * user has now in the database (never the token's). Made by `operations.auth.authenticate`.
 */
export type Caller = AccessClaims;

/** Options of a money movement. */
export interface MoveOptions {
  /** The client's Idempotency-Key: a repeat replays the first answer, moving no money. */
  idempotencyKey?: string;
}
