// `onRequest: app.authenticate` on a route: the operation layer's authentication of the Authorization
// header (src/auth/auth.operations.ts), or 401. The caller lands on request.auth.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { UnauthenticatedError } from '../errors.js';
import type { Caller, Operations, Origin } from '../operations.js';

declare module 'fastify' {
  interface FastifyInstance {
    authenticate: (request: FastifyRequest) => Promise<void>;
  }
  interface FastifyRequest {
    auth: Caller | null;
  }
}

/** request.auth on a route that ran app.authenticate. */
export function authOf(request: FastifyRequest): Caller {
  if (!request.auth) throw new UnauthenticatedError('authentication required');
  return request.auth;
}

/** Where an anonymous request comes from. */
export function originOf(request: FastifyRequest): Origin {
  return { clientIp: request.ip, userAgent: request.headers['user-agent'] ?? '' };
}

export default fp(
  async (app: FastifyInstance, opts: { ops: Operations }) => {
    app.decorateRequest('auth', null);
    app.decorate('authenticate', async (request: FastifyRequest) => {
      request.auth = await opts.ops.auth.authenticate(request.headers.authorization);
    });
  },
  { name: 'auth' },
);
