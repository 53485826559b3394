// The thin edge: config, logger, database, listen, signals, graceful close.

import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import closeWithGrace from 'close-with-grace';
import type pg from 'pg';
import { loadOrCreateKeyFile, tokenKeyProblem } from './auth/tokens.js';
import { createBank } from './bank.js';
import { createPool } from './db/pool.js';
import { http2SeesEdgeWhitespace, warnIfHttp2DropsEdgeWhitespace } from './grpc/header-probe.js';
import { type Config, ConfigError, loadConfig } from './platform/config.js';
import { type Database, openDatabase } from './platform/database.js';
import { EmbeddedPostgresError, portIsFree } from './platform/embedded-postgres.js';
import { applyHeapGrowth } from './platform/heap.js';
import { type Jobs, startJobs } from './platform/jobs.js';
import { createLogger } from './platform/logger.js';
import { createMetricsServer } from './platform/metrics.js';
import { MigrationError } from './platform/migrate.js';
import { startTracing, tracing } from './platform/tracing.js';

async function main(): Promise<void> {
  // Before anything else, so that every span has its tracer (off unless OTEL_EXPORTER_OTLP_ENDPOINT).
  const tracingOn = await startTracing();
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`simple bank cannot start: ${err.message}`);
      process.exit(78);
    }
    throw err;
  }
  // The token keys, before anything starts (a key that only looks like one is a sentence, not a stack).
  const keyProblem = await tokenKeyProblem(config.tokenSecretKey, config.tokenPreviousPublicKeys);
  if (keyProblem) {
    console.error(`simple bank cannot start: ${keyProblem}`);
    process.exit(78);
  }
  applyHeapGrowth(config.heapGrowingPercent);
  const log = createLogger(config.logLevel);

  // HOST first: a name that does not resolve, or an address this machine does not have, is said as
  // such (every port would look taken otherwise).
  const badHost = await hostProblem(config.host);
  if (badHost) {
    console.error(
      `simple bank cannot start: HOST ${config.host} ${badHost}: set HOST to an address of this machine (127.0.0.1, 0.0.0.0, ::).`,
    );
    process.exit(1);
  }

  // Every port the start needs, checked before anything starts, all named at once.
  const taken = await takenPorts(config);
  if (taken.length) {
    const list = taken.map(([port, name]) => `${port} (${name})`).join(', ');
    const names = taken.map(([, name]) => name).join(', ');
    console.error(
      `simple bank cannot start: port${taken.length > 1 ? 's' : ''} ${list} on ${config.host} already in use: set ${names} to ${taken.length > 1 ? 'free ports' : 'a free port'}.`,
    );
    process.exit(1);
  }

  let database: Database;
  try {
    database = await openDatabase(config, { info: (m) => log.info(m), warn: (m) => log.warn(m), debug: (m) => log.debug(m) });
  } catch (err) {
    if (err instanceof EmbeddedPostgresError || err instanceof MigrationError) {
      log.fatal(err.message);
      console.error(`simple bank cannot start: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }

  const pool = createPool(database.poolUrl, {
    max: config.dbPoolSize,
    onError: (err) => log.warn(`database connection lost: ${err.message}`),
  });
  // A read replica gets short bounds: a read it cannot answer at once goes to the primary.
  const readPool = database.readUrl
    ? createPool(database.readUrl, {
        max: config.dbPoolSize,
        applicationName: 'simple-bank-read',
        connectTimeoutMs: 1_000,
        queryTimeoutMs: 2_000,
        onError: (err) => log.warn(`read replica connection lost: ${err.message}`),
      })
    : undefined;
  if (readPool) void warnUnlessSynchronous(pool, (m) => log.warn(m));
  const tokenKey = config.tokenSecretKey ?? (await loadOrCreateKeyFile(config.dataDir));
  const bank = await createBank(
    config,
    { pool, readPool, listenUrl: database.sessionUrl, tokenKey },
    {
      logger: log,
      onListenerError: (err) => log.warn(`session change listener lost: ${err.message}; sessions are rechecked every 2 s meanwhile`),
      onReadFallback: (err) => log.warn(`read replica unavailable (${err.message}); reads go to the primary for 5 s`),
    },
  );
  const { http: app, grpc, deps } = bank;
  // Prometheus scrapes its own port, never the API's (the public ingress does not route it).
  const metricsServer = config.metricsPort === 0 ? undefined : createMetricsServer(deps.metrics);

  // The background jobs (hold expiry; the cleanup of expired Idempotency-Keys and stale attempt counters)
  // on the Postgres job queue, over a session connection. A database
  // that cannot be reached yet (or not migrated) is retried every 10 s: the service serves meanwhile.
  let jobs: Jobs | undefined;
  let stopping = false;
  const startJobsWhenPossible = async () => {
    while (!stopping && jobs === undefined) {
      try {
        const started = await startJobs({
          sessionUrl: database.sessionUrl,
          pool,
          log,
          idempotencyKeyTtlMs: config.idempotencyKeyTtlMs,
          eventRetentionMs: config.eventRetentionMs,
          onAppended: () => bank.deps.events.poke(),
          webhooks: { ...config.webhooks, state: bank.deps.webhooks },
          mail: config.mail,
          metrics: bank.deps.metrics,
          onFailed: () => {
            jobs = undefined;
            if (!stopping) void startJobsWhenPossible();
          },
        });
        if (stopping) await started.stop();
        else {
          jobs = started;
          log.info('background jobs started: the Postgres job queue is installed and its worker runs');
        }
      } catch (err) {
        log.warn(`background jobs (hold expiry) not started: ${(err as Error).message}; retrying in 10 s`);
        await new Promise((r) => setTimeout(r, 10_000).unref());
      }
    }
  };
  const jobsStarted = startJobsWhenPossible();
  // Events numbered here go to the webhook endpoints that may see them.
  bank.deps.events.onNumbered(() => jobs?.fanOut());

  // SIGINT/SIGTERM: stop accepting, let in-flight requests finish, then the pool, then Postgres.
  // SIGINT/SIGTERM are taken here, not by close-with-grace: one Ctrl-C in a terminal reaches node twice
  // under `npm start` (from the terminal, to the whole foreground group, and again forwarded by npm),
  // which close-with-grace reads as "second signal: exit 1 now". The same signal again within 1 s is
  // that one Ctrl-C; a later one is the operator insisting: exit at once.
  const closer = closeWithGrace({ delay: 20_000, logger: log, skip: ['SIGINT', 'SIGTERM'] }, async ({ err }) => {
    if (err) log.error({ err }, 'closing after an error');
    stopping = true;
    await Promise.all([bank.close(), new Promise((r) => (metricsServer ? metricsServer.close(r) : r(undefined)))]);
    await Promise.race([jobsStarted, new Promise((r) => setTimeout(r, 5_000).unref())]);
    await jobs?.stop();
    await Promise.all([pool.end(), readPool?.end()]);
    await database.close();
    await tracing.shutdown(); // flushes the spans still batched
    log.info('stopped');
  });
  let firstSignalAt = 0;
  for (const name of ['SIGINT', 'SIGTERM'] as const) {
    process.on(name, (signal: NodeJS.Signals) => {
      if (firstSignalAt === 0) {
        firstSignalAt = Date.now();
        log.info({ signal }, 'shutting down');
        void closer.close();
      } else if (Date.now() - firstSignalAt > 1_000) {
        log.error(`second ${signal}, exiting`);
        process.exit(1);
      }
    });
  }

  let grpcPort = config.grpcPort;
  let listening = 'PORT';
  try {
    await app.listen({ host: config.host, port: config.port });
    listening = 'GRPC_PORT';
    if (grpc) grpcPort = await grpc.listen(config.grpcPort, config.host);
    listening = 'METRICS_PORT';
    if (metricsServer) {
      await new Promise<void>((resolve, reject) => {
        metricsServer.once('error', reject);
        metricsServer.listen(config.metricsPort, config.host, () => resolve());
      });
    }
  } catch (err) {
    const code = (err as { code?: string }).code;
    const port = listening === 'PORT' ? config.port : listening === 'GRPC_PORT' ? config.grpcPort : config.metricsPort;
    const why =
      code === 'EADDRINUSE'
        ? `port ${port} on ${config.host} is already in use: set ${listening} to a free port.`
        : `could not listen on ${config.host}:${port}: ${(err as Error).message}`;
    console.error(`simple bank cannot start: ${why}`);
    // The same order as a shutdown: the job worker (perhaps still installing its queue) before the pool
    // and the database it holds connections to.
    stopping = true;
    await bank.close();
    await Promise.race([jobsStarted, new Promise((r) => setTimeout(r, 5_000).unref())]);
    await jobs?.stop();
    await pool.end();
    await database.close();
    process.exit(1);
  }
  // An older Node's HTTP/2 drops a gRPC idempotency-key with edge whitespace: said once (./grpc/header-probe.ts).
  if (grpc) warnIfHttp2DropsEdgeWhitespace(log, await http2SeesEdgeWhitespace());
  // Say "ready" only when it is: the same check as /readyz (the database answers, at this build's schema).
  const url = `http://${config.host}:${config.port}`;
  const readiness = await app.inject('/readyz');
  if (readiness.statusCode === 200) {
    const grpcAt = grpc ? `${config.host}:${grpcPort}` : 'off';
    const metricsAt = metricsServer ? `http://${config.host}:${config.metricsPort}/metrics` : 'off';
    log.info(
      {
        url,
        grpc: grpcAt,
        metrics: metricsAt,
        tracing: tracingOn ? 'OTLP' : 'off',
        database: database.embedded ? 'embedded' : 'DATABASE_URL',
      },
      `simple bank ready: docs at ${url}/docs, gRPC ${grpc ? `on ${grpcAt}` : 'off (GRPC_PORT=0)'}, metrics ${metricsServer ? `at ${metricsAt}` : 'off (METRICS_PORT=0)'}`,
    );
  } else {
    log.warn(
      { url, database: database.embedded ? 'embedded' : 'DATABASE_URL', reason: readiness.json<{ detail?: string }>().detail },
      'simple bank is listening but not ready (requests answer 503 until the database is reachable and migrated)',
    );
  }
}

/** Why nothing can listen on `host` (whatever the port), or undefined when something can. */
function hostProblem(host: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN' || err.code === 'EAI_NONAME') resolve('cannot be resolved');
      else if (err.code === 'EADDRNOTAVAIL') resolve('is not an address of this machine');
      else resolve(undefined); // anything else (a permission, say) is the ports' check to tell
    });
    probe.listen(0, host, () => probe.close(() => resolve(undefined)));
  });
}

/** The ports this start would listen on (and the embedded Postgres's) that another program holds. */
async function takenPorts(config: Config): Promise<[number, string][]> {
  const wanted: [number, string, string][] = [[config.port, 'PORT', config.host]];
  if (config.grpcPort !== 0) wanted.push([config.grpcPort, 'GRPC_PORT', config.host]);
  if (config.metricsPort !== 0) wanted.push([config.metricsPort, 'METRICS_PORT', config.host]);
  // An embedded Postgres of our own left running (postmaster.pid in DATA_DIR) is not a conflict: it is reused or stopped.
  if (!config.databaseUrl && !existsSync(join(resolve(config.dataDir), 'pg', 'postmaster.pid'))) {
    wanted.push([config.embeddedPgPort, 'EMBEDDED_PG_PORT', '127.0.0.1']);
  }
  const held = await Promise.all(wanted.map(([port, , host]) => (port === 0 ? true : portIsFree(port, host))));
  return wanted.filter((_, i) => !held[i]).map(([port, name]) => [port, name]);
}

/**
 * Read-your-writes through a replica needs it to be a synchronous standby: remote_apply waits only for
 * those. Said once at start when the primary names none (the reads still work, and may lag).
 */
async function warnUnlessSynchronous(pool: pg.Pool, warn: (m: string) => void): Promise<void> {
  try {
    const { rows } = await pool.query<{ names: string }>("SELECT current_setting('synchronous_standby_names') AS names");
    if (!rows[0]?.names) {
      warn(
        'DATABASE_READ_URL is set but the primary has no synchronous_standby_names: writes cannot wait for the replica, so a caller may not see its own writes there',
      );
    }
  } catch {
    /* the database is not reachable yet: readiness says so */
  }
}

main().catch((err) => {
  console.error('simple bank failed to start:', err);
  process.exit(1);
});
