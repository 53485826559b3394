import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { Operations } from '../../operations.js';
import { errorResponses } from '../problem.js';

const Status = Type.Object({ status: Type.String() }, { additionalProperties: false });

const healthRoutes: FastifyPluginAsyncTypebox<{ ops: Operations }> = async (app, { ops }) => {
  app.get(
    '/healthz',
    {
      schema: {
        operationId: 'healthz',
        security: [],
        tags: ['operations'],
        summary: 'Liveness: 200 while the process runs',
        description: 'Touches nothing else: a process that answers is alive, whatever the database does.',
        response: { 200: Status, ...errorResponses() },
      },
    },
    async () => ({ status: 'ok' }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        operationId: 'readyz',
        security: [],
        tags: ['operations'],
        description:
          'For the load balancer: 503 while the database does not answer within 3 s, or is not migrated to the schema version of this build.',
        summary: "Readiness: 200 when the database answers at this build's schema version, else 503",
        response: { 200: Status, ...errorResponses() },
      },
    },
    async () => ops.health.readiness(),
  );
};

export default healthRoutes;
