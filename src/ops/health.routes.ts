import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { AppDeps } from '../deps.js';
import { errorResponses, problem, sendProblem } from '../http/problem.js';

const Status = Type.Object({ status: Type.String() }, { additionalProperties: false });

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
      description: 'For the load balancer: 503 while the database does not answer within 3 s.',
      summary: 'Readiness: 200 when the database answers, else 503',
      response: { 200: Status, ...errorResponses() },
    },
  }, async (_request, reply) => {
    try {
      await Promise.race([
        deps.pool.query('SELECT 1'),
        new Promise((_, reject) => setTimeout(() => reject(new Error('readiness probe timed out')), 3_000).unref()),
      ]);
      return { status: 'ready' };
    } catch {
      return sendProblem(reply, problem(503, 'unavailable', 'the database cannot be reached'));
    }
  });
};

export default healthRoutes;
