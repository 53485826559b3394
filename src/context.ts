// What every operation is given, whatever the transport: its dependencies (made once, in
// src/bank.ts), where an anonymous call comes from, and a money movement's options.
import type pg from 'pg';
import type { RateLimiter } from './auth/rate-limit.js';
import type { SessionCache } from './auth/session-cache.js';
import type { TokenMaker } from './auth/tokens.js';
import type { Queryable } from './db/pool.js';
import type { EventFeed } from './events/feed.js';
import type { Metrics } from './platform/metrics.js';
import type { GroupCommit } from './transfers/ledger.js';
import type { PasswordHasher } from './users/passwords.js';

export type { Caller } from './caller.js';

/** What the operations are built from. */
export interface AppDeps {
  /** The primary (or its pooler): every write, and every read that must be current. */
  pool: pg.Pool;
  /** Account reads, lists and statements: the read replica when one is configured, else the pool. */
  reads: Queryable;
  /** A read replica is configured: writes a caller may read back commit once it has applied them. */
  awaitReplica: boolean;
  passwords: PasswordHasher;
  tokens: TokenMaker;
  /** Live sessions, cached; the database announces changes. */
  sessions: SessionCache;
  /** Attempt counters shared by every replica (in Postgres). */
  limiter: RateLimiter;
  loginLimits: { perUsername: number; perIp: number; windowMs: number };
  signupLimits: { perIp: number; windowMs: number };
  /** What the service records for Prometheus (no-ops when METRICS_PORT=0). */
  metrics: Metrics;
  /** Every money movement is an item of it: concurrent movements share one ledger call and one COMMIT. */
  groupCommit: GroupCommit;
  /** Events: numbered after commit, read as a feed, waited for (long-poll, WatchEvents). */
  events: EventFeed;
  /** Webhooks: the hosts allowed besides public https ones, and whether any endpoint exists (fan-out runs then). */
  webhooks: { allowedHosts: Set<string>; endpointsExist: boolean };
}

/** Where an anonymous call comes from, as the transport saw it (rate limits, the session's record). */
export interface Origin {
  clientIp: string;
  userAgent: string;
}

/** Options of a money movement. */
export interface MoveOptions {
  /** The client's Idempotency-Key: a repeat replays the first answer, moving no money. */
  idempotencyKey?: string;
  /**
   * Aborted when the caller stops waiting (a gRPC deadline): a movement not yet handed to the ledger
   * is dropped and never moves money; once in a ledger call, its outcome is the database's.
   */
  signal?: AbortSignal;
  /** performance.now() when the request arrived: the answer is due within 10 s of it (503 if the database stalls). */
  receivedAt?: number;
  /** The caller's own deadline (a gRPC timeout): passed before the movement is sent, it moves nothing. */
  deadline?: { at: number; error: () => unknown };
}
