// Authentication, for every transport: an `Authorization: Bearer <access token>` (HTTP header or gRPC
// metadata) becomes a Caller, or UnauthenticatedError / SessionInvalidError.
import type { AppDeps, Caller } from '../context.js';
import { UnauthenticatedError } from '../errors.js';
import { InvalidTokenError, type AccessClaims } from './tokens.js';

const BEARER = /^Bearer ([A-Za-z0-9._-]+)$/;

export function authOperations(deps: Pick<AppDeps, 'tokens' | 'sessions'>) {
  return {
    async authenticate(authorization: string | undefined): Promise<Caller> {
      if (!authorization) throw new UnauthenticatedError('the Authorization header is missing');
      const m = BEARER.exec(authorization);
      if (!m) throw new UnauthenticatedError('the Authorization header must be "Bearer <access token>"');
      let claims: AccessClaims;
      try {
        claims = await deps.tokens.verifyAccessToken(m[1]!);
      } catch (err) {
        if (err instanceof InvalidTokenError) throw new UnauthenticatedError('the access token is invalid or expired');
        throw err;
      }
      // Authority from the database: the role the user has now, whatever the token says.
      return { ...claims, role: await deps.sessions.assertLive(claims) };
    },
  };
}
