// The composition root: config → dependencies → operations → adapters, written once. The server
// (src/server.ts), the tests (tests/setup/app.ts) and the scripts build the bank here; nothing else
// wires it. The caller owns the database connections (and the pool's end).
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import type { Logger } from 'pino';
import { createRateLimiter } from './auth/rate-limit.js';
import { createSessionCache } from './auth/session-cache.js';
import { createTokenMaker } from './auth/tokens.js';
import type { AppDeps } from './context.js';
import { createReadRouter } from './db/read-replica.js';
import { createEventFeed } from './events/feed.js';
import { createGrpcServer, type GrpcServer } from './grpc/server.js';
import { buildApp } from './http/app.js';
import { createOperations, type Operations } from './operations.js';
import type { Config } from './platform/config.js';
import { readQueueStats } from './platform/jobs.js';
import { createMetrics, type Metrics, noMetrics } from './platform/metrics.js';
import { createRequestBudget } from './platform/request-budget.js';
import { createGroupCommit } from './transfers/ledger.js';
import { createPasswordHasher } from './users/passwords.js';

export interface BankConnections {
  /** The primary (or its transaction pooler): every write. */
  pool: pg.Pool;
  /** A read replica's pool (DATABASE_READ_URL): account reads, lists and statements, falling back to `pool`. */
  readPool?: pg.Pool;
  /** Where the session cache LISTENs for changed sessions; unset: no listener (entries live 2 s). */
  listenUrl?: string;
  /** The PASERK k4.secret key that signs tokens. */
  tokenKey: string;
}

export interface BankOptions {
  logger?: Logger;
  /** Serve Swagger UI at /docs (default true). */
  docs?: boolean;
  /** Build the gRPC server (default: unless GRPC_PORT is 0). */
  grpc?: boolean;
  /** Told when the session listener is lost (it reconnects by itself). */
  onListenerError?: (err: Error) => void;
  /** Told when a read falls back from the replica to the primary. */
  onReadFallback?: (err: Error) => void;
  /** What to record into; default: Prometheus metrics unless METRICS_PORT is 0. */
  metrics?: Metrics;
}

export interface Bank {
  deps: AppDeps;
  operations: Operations;
  http: FastifyInstance;
  grpc?: GrpcServer;
  /** Stops both adapters and the session listener (not the pool: it is the caller's). */
  close(): Promise<void>;
}

/** The operations' dependencies from the configuration and the connections. */
export async function createDeps(
  config: Config,
  conns: BankConnections,
  opts: Pick<BankOptions, 'onListenerError' | 'onReadFallback' | 'metrics' | 'logger'> = {},
): Promise<AppDeps> {
  const { pool, readPool } = conns;
  const awaitReplica = readPool !== undefined;
  const metrics = opts.metrics ?? (config.metricsPort === 0 ? noMetrics : createMetrics());
  // Told of every committed ledger call (the events it appended are numbered at once).
  const events = createEventFeed(pool, {
    onSequenced: (n) => metrics.eventsNumbered(n),
    listenUrl: conns.listenUrl,
    maxWaiters: config.watch.maxStreams,
    streamLifetimeMs: config.watch.lifetimeMs,
    log: opts.logger,
  });
  const deps: AppDeps = {
    pool,
    reads: readPool ? createReadRouter(pool, readPool, opts.onReadFallback) : pool,
    awaitReplica,
    metrics,
    tokens: await createTokenMaker(conns.tokenKey, config, config.tokenPreviousPublicKeys),
    passwords: createPasswordHasher(config.argon2, config.hashing, metrics.passwordWait),
    sessions: createSessionCache(pool, { listenUrl: conns.listenUrl, onError: opts.onListenerError }),
    limiter: createRateLimiter(pool, metrics.rateLimited),
    loginLimits: config.loginRateLimit,
    signupLimits: config.signupRateLimit,
    groupCommit: createGroupCommit(pool, {
      ...config.moneyBatch,
      keyTtlMs: config.idempotencyKeyTtlMs,
      remoteApply: awaitReplica,
      onCall: (items, seconds) => {
        events.poke();
        metrics.ledgerCall(items, seconds);
      },
      onWait: metrics.ledgerWait,
      retry: { onRetry: metrics.ledgerRetry },
    }),
    events,
    webhooks: { allowedHosts: config.webhooks.allowedHosts, endpointsExist: false },
  };
  const listener = deps.sessions;
  metrics.watch({
    queues: { read: () => readQueueStats(pool) },
    events,
    pool,
    groupCommit: deps.groupCommit,
    passwords: deps.passwords,
    sessionListener: {
      get listening() {
        return listener.listening;
      },
      enabled: conns.listenUrl !== undefined,
    },
  });
  return deps;
}

/** The whole bank over these connections: two transports (HTTP JSON, gRPC) over one operation layer. */
export async function createBank(config: Config, conns: BankConnections, opts: BankOptions = {}): Promise<Bank> {
  const deps = await createDeps(config, conns, opts);
  const operations = createOperations(deps);
  // One request budget for both listeners: bodies still arriving, and gRPC messages read before their call.
  const budget = createRequestBudget(config.requestBuffer);
  const http = await buildApp(operations, {
    budget,
    logger: opts.logger,
    docs: opts.docs,
    corsOrigins: config.corsOrigins,
    bodyLimit: config.bodyLimit,
    trustProxy: config.trustProxy,
    metrics: deps.metrics,
    ...config.listener,
  });
  const grpc =
    (opts.grpc ?? config.grpcPort !== 0)
      ? createGrpcServer(operations, {
          budget,
          watch: config.watch,
          log: opts.logger,
          readMaxBytes: config.bodyLimit,
          trustProxyHops: config.trustProxy,
          metrics: deps.metrics,
          ...config.listener,
        })
      : undefined;
  return {
    deps,
    operations,
    http,
    grpc,
    async close() {
      // Long-polls and WatchEvents streams end first (their clients resume), then the listeners.
      deps.events.endWaits();
      await Promise.all([http.close(), grpc?.close()]);
      await Promise.all([deps.sessions.close(), deps.events.close()]);
    },
  };
}
