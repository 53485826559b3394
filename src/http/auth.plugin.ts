// `preHandler: app.authenticate` on a route: a valid v4.public access token of a live session,
// or 401 `unauthenticated`. The claims land on request.auth.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { SessionGuard } from '../auth/sessions.service.js';
import { InvalidTokenError, type AccessClaims, type TokenMaker } from '../auth/tokens.js';
import { UnauthenticatedError } from '../db/errors.js';

declare module 'fastify' {
  interface FastifyInstance {
    authenticate: (request: FastifyRequest) => Promise<void>;
  }
  interface FastifyRequest {
    auth: AccessClaims | null;
  }
}

/** request.auth on a route that ran app.authenticate. */
export function authOf(request: FastifyRequest): AccessClaims {
  if (!request.auth) throw new UnauthenticatedError('authentication required');
  return request.auth;
}

export default fp(
  async (app: FastifyInstance, opts: { tokens: TokenMaker; sessions: SessionGuard }) => {
    app.decorateRequest('auth', null);
    app.decorate('authenticate', async (request: FastifyRequest) => {
      const header = request.headers.authorization;
      if (!header) throw new UnauthenticatedError('the Authorization header is missing');
      const m = /^Bearer ([A-Za-z0-9._-]+)$/.exec(header);
      if (!m) throw new UnauthenticatedError('the Authorization header must be "Bearer <access token>"');
      let claims: AccessClaims;
      try {
        claims = await opts.tokens.verifyAccessToken(m[1]!);
      } catch (err) {
        if (err instanceof InvalidTokenError) throw new UnauthenticatedError('the access token is invalid or expired');
        throw err;
      }
      // Authority from the database: the role the user has now, whatever the token says.
      request.auth = { ...claims, role: await opts.sessions.assertLive(claims) };
    });
  },
  { name: 'auth' },
);
