// Sessions, for every transport: login, renewal and revocation, and authentication — an
// `Authorization: Bearer <access token>` (HTTP header or gRPC metadata) becomes a Caller, or
// UnauthenticatedError / SessionInvalidError. Login attempts are rate limited here.
import type { Caller } from '../caller.js';
import type { AppDeps, Origin } from '../context.js';
import { UnauthenticatedError } from '../errors.js';
import type { LoginBody, LoginResponse, RefreshTokenBody, RenewResponse } from './auth.schemas.js';
import { login, renewAccess, revoke } from './sessions.service.js';
import { InvalidTokenError } from './tokens.js';

const BEARER = /^Bearer ([A-Za-z0-9._-]+)$/;

export function authOperations(deps: Pick<AppDeps, 'pool' | 'tokens' | 'passwords' | 'sessions' | 'limiter' | 'loginLimits'>) {
  const sessionDeps = { db: deps.pool, tokens: deps.tokens, passwords: deps.passwords };
  return {
    async authenticate(authorization: string | undefined): Promise<Caller> {
      if (!authorization) throw new UnauthenticatedError('the Authorization header is missing');
      const m = BEARER.exec(authorization);
      if (!m) throw new UnauthenticatedError('the Authorization header must be "Bearer <access token>"');
      let claims: Caller;
      try {
        claims = await deps.tokens.verifyAccessToken(m[1]!);
      } catch (err) {
        if (err instanceof InvalidTokenError) throw new UnauthenticatedError('the access token is invalid or expired');
        throw err;
      }
      // Authority from the database: the role the user has now, whatever the token says.
      return { ...claims, role: await deps.sessions.assertLive(claims) };
    },

    /**
     * A new session. Attempts are limited per client IP, per username from one address, and per
     * username from everywhere at ten times that: guesses from one place lock out that place only,
     * so an attacker cannot cheaply aim a lockout at someone else (docs/API.md says the trade-off).
     */
    async login(origin: Origin, input: LoginBody): Promise<LoginResponse> {
      const user = input.username.toLowerCase();
      await deps.limiter.hit(
        deps.loginLimits.windowMs,
        { key: `login-ip:${origin.clientIp}`, max: deps.loginLimits.perIp },
        { key: `login-user-ip:${user}:${origin.clientIp}`, max: deps.loginLimits.perUsername },
        { key: `login-user:${user}`, max: deps.loginLimits.perUsername * 10 },
      );
      return login(sessionDeps, { ...input, userAgent: origin.userAgent, clientIp: origin.clientIp });
    },

    /** A new access token for a live session; the refresh token rotates. */
    renewAccess(_origin: Origin, input: RefreshTokenBody): Promise<RenewResponse> {
      return renewAccess(sessionDeps, input.refresh_token);
    },

    /** Blocks the session of a refresh token; this replica forgets it at once, the others when the database announces it. */
    async revokeSession(_origin: Origin, input: RefreshTokenBody): Promise<void> {
      deps.sessions.forget(await revoke(sessionDeps, input.refresh_token));
    },
  };
}
