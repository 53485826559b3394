// Liveness and readiness, for every transport (HTTP /healthz and /readyz, gRPC grpc.health.v1).
import { readdirSync } from 'node:fs';
import type { AppDeps } from '../context.js';
import { UNAVAILABLE_RETRY_AFTER_S } from '../db/pg-errors.js';
import { UnavailableError } from '../errors.js';
import { migrationsDir } from '../platform/paths.js';

/** The schema version this build expects: its newest migration (dbmate's version is the file's prefix). */
export const EXPECTED_SCHEMA_VERSION = readdirSync(migrationsDir)
  .map((f) => /^(\d+)_.*\.sql$/.exec(f)?.[1])
  .filter((v): v is string => v !== undefined)
  .sort()
  .at(-1)!;

const PROBE_TIMEOUT_MS = 3_000;

/**
 * Why the database cannot be used, in one sentence that names the setting to fix — and never its host,
 * port, user or password (/readyz is unauthenticated): Postgres's SQLSTATE or Node's error code.
 */
export function unreachable(err: unknown): string {
  const code = (err as { code?: string } | undefined)?.code;
  switch (code) {
    case '28P01':
      return 'the database refused the password: check the user and password in DATABASE_URL';
    case '28000':
      return 'the database refused the login (no such role, or pg_hba.conf does not let it in): check the user in DATABASE_URL';
    case '3D000':
      return 'the database named in DATABASE_URL does not exist: create it, or fix the name';
    case '57P03':
      return 'the database is starting up or shutting down';
    case '53300':
      return 'the database has no free connection slots (max_connections)';
    case 'ECONNREFUSED':
      return "nothing listens at DATABASE_URL's host and port: is the server running, and is the port right?";
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return "DATABASE_URL's host name does not resolve";
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return "DATABASE_URL's host cannot be reached over the network";
  }
  if (/timed out|timeout/i.test((err as Error | undefined)?.message ?? ''))
    return `the database did not answer within ${PROBE_TIMEOUT_MS / 1000} s`;
  return 'the database cannot be reached';
}

export function healthOperations(deps: Pick<AppDeps, 'pool' | 'metrics'>) {
  return {
    /**
     * Ready only on a database that answers within 3 s, can be written (a primary, not a standby
     * left behind a failover) and is migrated to this build's schema: pods of a release whose
     * migrations have not run yet get no traffic. Else UnavailableError.
     */
    async readiness(): Promise<{ status: 'ready' }> {
      try {
        const result = await check();
        deps.metrics.ready(true);
        return result;
      } catch (err) {
        deps.metrics.ready(false);
        throw err;
      }
    },
  };

  async function check(): Promise<{ status: 'ready' }> {
    let current: string | null;
    let migrated: boolean;
    let writable: boolean;
    try {
      const { rows } = (await Promise.race([
        deps.pool.query<{ current: string | null; ok: boolean; writable: boolean }>(
          `SELECT (SELECT max(version) FROM schema_migrations) AS current,
                  EXISTS (SELECT 1 FROM schema_migrations WHERE version = $1) AS ok, NOT pg_is_in_recovery() AS writable`,
          [EXPECTED_SCHEMA_VERSION],
        ),
        new Promise((_, reject) => setTimeout(() => reject(new Error('readiness probe timed out')), PROBE_TIMEOUT_MS).unref()),
      ])) as { rows: { current: string | null; ok: boolean; writable: boolean }[] };
      current = rows[0]?.current ?? null;
      migrated = rows[0]?.ok === true;
      writable = rows[0]?.writable === true;
    } catch (err) {
      // 42P01: the database answers but has no schema_migrations: nothing of ours was ever migrated there.
      if ((err as { code?: string }).code === '42P01') {
        throw new UnavailableError('the database has no simple bank schema: run `npm run migrate -- up`', undefined, 'schema');
      }
      throw new UnavailableError(unreachable(err), UNAVAILABLE_RETRY_AFTER_S);
    }
    if (!writable)
      throw new UnavailableError(
        'the database is read-only (a standby): the primary cannot be written',
        UNAVAILABLE_RETRY_AFTER_S,
        'read_only',
      );
    if (!migrated)
      throw new UnavailableError(
        current === null
          ? 'the database has no simple bank schema: run `npm run migrate -- up`'
          : `the database schema is at version ${current}, this build needs ${EXPECTED_SCHEMA_VERSION}: run \`npm run migrate -- up\``,
        undefined,
        'schema',
      );
    return { status: 'ready' };
  }
}
