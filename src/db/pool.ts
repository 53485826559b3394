import pg from 'pg';

export type Pool = pg.Pool;
/** Anything that runs a query: the pool (autocommit) or a client inside a transaction. */
export type Queryable = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>;

export interface PoolOptions {
  max?: number;
  onError?: (err: Error) => void;
}

export function createPool(url: string, opts: PoolOptions = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.max ?? 10,
    // A request must answer 503 within seconds when the database is gone, never hang.
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    // A statement waiting on a row lock longer than this is abandoned rather than hanging a request.
    statement_timeout: 15_000,
    application_name: 'simple-bank',
  });
  // An idle client losing its connection (database restart) must not crash the process.
  pool.on('error', opts.onError ?? (() => {}));
  return pool;
}
