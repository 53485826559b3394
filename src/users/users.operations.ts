// The users' operations, for every transport: sign-up and update. Rate limits, authorization and the
// session cache's invalidation are decided here. (Sessions — login, renew, revoke — are src/auth/.)
import { assertSelfOrBanker, type Caller } from '../caller.js';
import type { AppDeps, Origin } from '../context.js';
import type { CreateUserBody, UpdateUserBody, User, VerifyEmailQuery, VerifyEmailResponse } from './users.schemas.js';
import { createUser, updateUser, verifyEmail } from './users.service.js';

export function userOperations(
  deps: Pick<AppDeps, 'pool' | 'passwords' | 'sessions' | 'limiter' | 'signupLimits' | 'loginLimits' | 'events'>,
) {
  return {
    /** A new depositor. Limited per client IP. */
    async signUp(origin: Origin, input: CreateUserBody): Promise<User> {
      await deps.limiter.hit(deps.signupLimits.windowMs, { key: `signup-ip:${origin.clientIp}`, max: deps.signupLimits.perIp });
      return createUser(deps.pool, deps.passwords, input);
    },

    /**
     * Yourself, or anyone as a banker. A password change blocks the user's other sessions. Changing
     * one's own password checks the current one: those checks are limited like logins (per username
     * and per client IP, counters of their own shared by every replica).
     */
    async updateUser(caller: Caller, input: { username: string; changes: UpdateUserBody }, origin: Origin): Promise<User> {
      assertSelfOrBanker(caller, input.username);
      if (input.changes.password !== undefined && caller.username === input.username) {
        await deps.limiter.hit(
          deps.loginLimits.windowMs,
          { key: `pwchange-ip:${origin.clientIp}`, max: deps.loginLimits.perIp },
          { key: `pwchange-user:${input.username}`, max: deps.loginLimits.perUsername },
        );
      }
      const user = await updateUser(deps.pool, deps.passwords, caller, input.username, input.changes);
      if (input.changes.password !== undefined) deps.sessions.forgetUser(input.username);
      return user;
    },

    /**
     * The link of a verification email (no token: the code is the proof). Limited per client IP like
     * sign-ups, so codes cannot be guessed at speed (192 random bits each, good for 15 minutes).
     */
    async verifyEmail(origin: Origin, input: VerifyEmailQuery): Promise<VerifyEmailResponse> {
      await deps.limiter.hit(deps.loginLimits.windowMs, { key: `verify-ip:${origin.clientIp}`, max: deps.loginLimits.perIp });
      await verifyEmail(deps.pool, input.email_id, input.secret_code);
      deps.events.poke(); // its user.email_verified event
      return { is_verified: true };
    },
  };
}
