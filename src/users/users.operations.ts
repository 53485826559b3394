// The users' operations, for every transport: sign-up, login, renew, revoke, update. Rate limits,
// authorization and the session cache's invalidation are decided here, nowhere else.
import { assertSelfOrBanker } from '../auth/authorize.js';
import { login, renewAccess, revoke } from '../auth/sessions.service.js';
import type { AppDeps, Caller, Origin } from '../context.js';
import type { CreateUserBody, LoginBody, LoginResponse, RenewResponse, UpdateUserBody, User } from './users.schemas.js';
import { createUser, updateUser } from './users.service.js';

export function userOperations(deps: AppDeps) {
  const sessionDeps = { db: deps.pool, tokens: deps.tokens, passwords: deps.passwords };
  return {
    /** A new depositor. Limited per client IP. */
    async signUp(origin: Origin, input: CreateUserBody): Promise<User> {
      await deps.limiter.hit(deps.signupLimits.windowMs, { key: `signup-ip:${origin.clientIp}`, max: deps.signupLimits.perIp });
      return createUser(deps.pool, deps.passwords, input);
    },

    /** A new session. Attempts are limited per client IP and per username. */
    async login(origin: Origin, input: LoginBody): Promise<LoginResponse> {
      await deps.limiter.hit(
        deps.loginLimits.windowMs,
        { key: `login-ip:${origin.clientIp}`, max: deps.loginLimits.perIp },
        { key: `login-user:${input.username.toLowerCase()}`, max: deps.loginLimits.perUsername },
      );
      return login(sessionDeps, { username: input.username, password: input.password, userAgent: origin.userAgent, clientIp: origin.clientIp });
    },

    /** A new access token for a live session; the refresh token rotates. */
    renewAccess(_origin: Origin, input: { refresh_token: string }): Promise<RenewResponse> {
      return renewAccess(sessionDeps, input.refresh_token);
    },

    /** Blocks the session of a refresh token; this replica forgets it at once, the others within 2 s. */
    async revokeSession(_origin: Origin, input: { refresh_token: string }): Promise<void> {
      deps.sessions.forget(await revoke(sessionDeps, input.refresh_token));
    },

    /** Yourself, or anyone as a banker. A password change blocks the user's other sessions. */
    async updateUser(caller: Caller, input: { username: string; changes: UpdateUserBody }): Promise<User> {
      assertSelfOrBanker(caller, input.username);
      const user = await updateUser(deps.pool, deps.passwords, caller, input.username, input.changes);
      if (input.changes.password !== undefined) deps.sessions.forgetUser(input.username);
      return user;
    },
  };
}
