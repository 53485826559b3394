import pg from 'pg';
import { tracing } from '../platform/tracing.js';

export type Pool = pg.Pool;
/** Anything that runs a query: the pool (autocommit) or a client inside a transaction. */
export type Queryable = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>;

export interface PoolOptions {
  max?: number;
  onError?: (err: Error) => void;
  /** Shown in pg_stat_activity. */
  applicationName?: string;
  /** Shorter bounds (a read replica: its reads fall back to the primary). */
  connectTimeoutMs?: number;
  queryTimeoutMs?: number;
}

/**
 * An error the server answered with (a SQLSTATE) on a connection that is still good to use. Not:
 * a lost or refused connection (08, 57, 53, and PgBouncer's own 08P01), a read-only server (25006:
 * the pooler still points at a demoted primary, or at a standby), a client-side timeout (no SQLSTATE).
 */
export function connectionSurvives(err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && !/^(08|57|53)/.test(code) && code !== '25006';
}

/** The client-side bound on every query: nothing waits past it, even when the server cannot answer (stopped, unreachable). */
export const QUERY_TIMEOUT_MS = 6_000;
/** How long a query waits for a pooled connection (or a new one) before it is refused. */
export const CONNECT_TIMEOUT_MS = 3_000;

/**
 * The service's pool. pg-pool's own query() destroys the connection after ANY error, so every
 * refused transfer (insufficient funds, …) would cost a new backend: this one keeps connections that
 * only saw a SQL error, and drops those whose error says the connection is gone.
 */
export class BankPool extends pg.Pool {
  // pg.Pool's query() is overloaded (callbacks, streams); the service uses its promise forms only.
  // biome-ignore lint/suspicious/noExplicitAny: an override must be assignable to every overload
  override query(text: string | pg.QueryConfig, values?: unknown): any {
    return this.keepAlive(text, values as unknown[] | undefined);
  }

  private keepAlive(text: string | pg.QueryConfig, values?: unknown[]): Promise<pg.QueryResult> {
    // One CLIENT span per database call when tracing is on (a no-op otherwise).
    return tracing.db(typeof text === 'string' ? text : text.text, () => this.run(text, values));
  }

  private async run(text: string | pg.QueryConfig, values?: unknown[]): Promise<pg.QueryResult> {
    const client = await this.connect();
    let broken: Error | undefined;
    try {
      return await client.query(text as string, values);
    } catch (err) {
      if (!connectionSurvives(err)) broken = err as Error;
      throw err;
    } finally {
      client.release(broken);
    }
  }
}

export function createPool(url: string, opts: PoolOptions = {}): pg.Pool {
  const pool = new BankPool({
    connectionString: url,
    max: opts.max ?? 10,
    // A request must answer 503 within 10 s when the database is gone or stalls, never hang: at most
    // 3 s for a connection, 6 s for the query. No startup parameter but the application name, which
    // PgBouncer passes on (a transaction pooler refuses or drops the others); server-side timeouts
    // are set per transaction or on the function (migrations/*_pooler_safe_timeouts.sql).
    connectionTimeoutMillis: opts.connectTimeoutMs ?? CONNECT_TIMEOUT_MS,
    query_timeout: opts.queryTimeoutMs ?? QUERY_TIMEOUT_MS,
    idleTimeoutMillis: 30_000,
    application_name: opts.applicationName ?? 'simple-bank',
  });
  // A client losing its connection (database restart) must not crash the process: idle clients
  // report through the pool; a checked-out client between two queries would emit 'error' with no
  // listener, so every client gets one for its whole life. Its pending query fails anyway (→ 503).
  const onError = opts.onError ?? (() => {});
  pool.on('error', onError);
  pool.on('connect', (client) => client.on('error', onError));
  return pool;
}
