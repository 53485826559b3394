// Login, renew and revoke. A session row backs every refresh token; access tokens name their session.
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { blockSession, createSession, getSession } from '../../generated/sessions.queries.js';
import { getUserCredentials } from '../../generated/users.queries.js';
import { SessionInvalidError, UnauthenticatedError } from '../db/errors.js';
import { maybeOne } from '../db/one.js';
import type { Queryable } from '../db/pool.js';
import type { LoginResponse } from '../schemas/users.js';
import { toUser } from '../users/users.mappers.js';
import type { PasswordHasher } from './passwords.js';
import { InvalidTokenError, type AccessClaims, type Role, type TokenMaker } from './tokens.js';

const sha256 = (s: string) => createHash('sha256').update(s).digest();

export interface SessionDeps {
  db: Queryable;
  tokens: TokenMaker;
  passwords: PasswordHasher;
}

export async function login(
  deps: SessionDeps,
  input: { username: string; password: string; userAgent: string; clientIp: string },
): Promise<LoginResponse> {
  const user = maybeOne(await getUserCredentials.run({ username: input.username }, deps.db), 'user');
  const ok = await deps.passwords.verify(user?.hashed_password, input.password);
  if (!user || !ok) throw new UnauthenticatedError('wrong username or password');

  const sessionId = randomUUID();
  const now = new Date();
  const role = user.role as Role;
  const access = await deps.tokens.createAccessToken(sessionId, user.username, role, now);
  const refresh = await deps.tokens.createRefreshToken(sessionId, user.username, now);
  await createSession.run(
    {
      id: sessionId,
      username: user.username,
      refreshTokenHash: sha256(refresh.token),
      userAgent: input.userAgent.slice(0, 500),
      clientIp: input.clientIp,
      expiresAt: refresh.expiresAt,
    },
    deps.db,
  );
  return {
    session_id: sessionId,
    access_token: access.token,
    access_token_expires_at: access.expiresAt.toISOString(),
    refresh_token: refresh.token,
    refresh_token_expires_at: refresh.expiresAt.toISOString(),
    user: toUser(user),
  };
}

/** The session behind a refresh token, checked: exists, not blocked, same user, same token, not expired. */
async function liveSession(deps: SessionDeps, refreshToken: string) {
  let claims;
  try {
    claims = await deps.tokens.verifyRefreshToken(refreshToken);
  } catch (err) {
    if (err instanceof InvalidTokenError) throw new SessionInvalidError('the refresh token is invalid or expired');
    throw err;
  }
  const session = maybeOne(await getSession.run({ id: claims.sessionId }, deps.db), 'session');
  if (!session) throw new SessionInvalidError('the session does not exist');
  if (session.is_blocked) throw new SessionInvalidError('the session has been revoked');
  if (session.username !== claims.username) throw new SessionInvalidError('the session belongs to another user');
  const hash = sha256(refreshToken);
  if (session.refresh_token_hash.length !== hash.length || !timingSafeEqual(session.refresh_token_hash, hash)) {
    throw new SessionInvalidError('the refresh token does not match its session');
  }
  if (session.expires_at.getTime() <= Date.now()) throw new SessionInvalidError('the session has expired');
  return { session, claims };
}

export async function renewAccess(deps: SessionDeps, refreshToken: string) {
  const { claims } = await liveSession(deps, refreshToken);
  const user = maybeOne(await getUserCredentials.run({ username: claims.username }, deps.db), 'user');
  if (!user) throw new SessionInvalidError('the user no longer exists');
  const access = await deps.tokens.createAccessToken(claims.sessionId, user.username, user.role as Role);
  return { access_token: access.token, access_token_expires_at: access.expiresAt.toISOString() };
}

export async function revoke(deps: SessionDeps, refreshToken: string): Promise<string> {
  const { session } = await liveSession(deps, refreshToken);
  await blockSession.run({ id: session.id }, deps.db);
  return session.id;
}

/**
 * Access tokens are checked against their session (revoked → refused). Answers are cached for a
 * moment to spare a query per request; revoking in this process clears the entry at once.
 */
export function createSessionGuard(db: Queryable, ttlMs = 2_000) {
  const cache = new Map<string, { username: string; until: number }>();
  return {
    async assertLive(auth: AccessClaims): Promise<void> {
      const now = Date.now();
      const hit = cache.get(auth.sessionId);
      if (hit && hit.until > now && hit.username === auth.username) return;
      const s = maybeOne(await getSession.run({ id: auth.sessionId }, db), 'session');
      if (!s || s.is_blocked || s.username !== auth.username || s.expires_at.getTime() <= now) {
        cache.delete(auth.sessionId);
        throw new UnauthenticatedError('the session of this token has been revoked or has expired');
      }
      if (cache.size > 100_000) cache.clear();
      cache.set(auth.sessionId, { username: s.username, until: Math.min(now + ttlMs, s.expires_at.getTime()) });
    },
    forget(sessionId: string): void {
      cache.delete(sessionId);
    },
  };
}
export type SessionGuard = ReturnType<typeof createSessionGuard>;
