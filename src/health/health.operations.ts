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
      throw new UnavailableError('the database cannot be reached', UNAVAILABLE_RETRY_AFTER_S);
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
