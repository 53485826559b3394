import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { readdirSync } from 'node:fs';
import { migrationsDir } from '../paths.js';
import Type from 'typebox';
import type { AppDeps } from '../deps.js';
import { errorResponses, problem, sendProblem } from '../http/problem.js';

const Status = Type.Object({ status: Type.String() }, { additionalProperties: false });

/** The schema version this build expects: its newest migration (dbmate's version is the file's prefix). */
export const EXPECTED_SCHEMA_VERSION = readdirSync(migrationsDir)
  .map((f) => /^(\d+)_.*\.sql$/.exec(f)?.[1])
  .filter((v): v is string => v !== undefined)
  .sort()
  .at(-1)!;

const healthRoutes: FastifyPluginAsyncTypebox<{ deps: AppDeps }> = async (app, { deps }) => {
  app.get('/healthz', {
    schema: {
      operationId: 'healthz',
      security: [],
      tags: ['operations'],
      summary: 'Liveness: 200 while the process runs',
      description: 'Touches nothing else: a process that answers is alive, whatever the database does.',
      response: { 200: Status, ...errorResponses() },
    },
  }, async () => ({ status: 'ok' }));

  app.get('/readyz', {
    schema: {
      operationId: 'readyz',
      security: [],
      tags: ['operations'],
      description: 'For the load balancer: 503 while the database does not answer within 3 s, or is not migrated to the schema version of this build.',
      summary: 'Readiness: 200 when the database answers at this build\'s schema version, else 503',
      response: { 200: Status, ...errorResponses() },
    },
  }, async (_request, reply) => {
    let migrated: boolean;
    try {
      // Ready only on a database migrated to this build's schema: pods of a release whose
      // migrations have not run yet get no traffic (and answer 503, not 500, if asked).
      const { rows } = (await Promise.race([
        deps.pool.query<{ ok: boolean }>('SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = $1) AS ok', [EXPECTED_SCHEMA_VERSION]),
        new Promise((_, reject) => setTimeout(() => reject(new Error('readiness probe timed out')), 3_000).unref()),
      ])) as { rows: { ok: boolean }[] };
      migrated = rows[0]?.ok === true;
    } catch {
      return sendProblem(reply, problem(503, 'unavailable', 'the database cannot be reached'));
    }
    if (!migrated) {
      return sendProblem(reply, problem(503, 'unavailable', `the database schema is not at version ${EXPECTED_SCHEMA_VERSION} yet: migrations are pending`));
    }
    return { status: 'ready' };
  });
};

export default healthRoutes;
