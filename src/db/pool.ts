import pg from 'pg';

export type Pool = pg.Pool;
/** Anything that runs a query: the pool (autocommit) or a client inside a transaction. */
export type Queryable = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>;

export interface PoolOptions {
  max?: number;
  onError?: (err: Error) => void;
}

/** An error the server answered with (a SQLSTATE) on a connection that is still good to use. */
function connectionSurvives(err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && !/^(08|57|53)/.test(code);
}

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

  private async keepAlive(text: string | pg.QueryConfig, values?: unknown[]): Promise<pg.QueryResult> {
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
    // A request must answer 503 within seconds when the database is gone, never hang.
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    // A statement waiting on a row lock longer than this is abandoned rather than hanging a request.
    statement_timeout: 15_000,
    application_name: 'simple-bank',
  });
  // A client losing its connection (database restart) must not crash the process: idle clients
  // report through the pool; a checked-out client between two queries would emit 'error' with no
  // listener, so every client gets one for its whole life. Its pending query fails anyway (→ 503).
  const onError = opts.onError ?? (() => {});
  pool.on('error', onError);
  pool.on('connect', (client) => client.on('error', onError));
  return pool;
}
