// Login, renew and revoke. A session row backs every refresh token; access tokens name their session.
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { blockSession, createSession, getSession, rotateRefreshToken } from '../../generated/sessions.queries.js';
import { getUserCredentials } from '../../generated/users.queries.js';
import { maybeOne } from '../db/one.js';
import type { Queryable } from '../db/pool.js';
import { SessionInvalidError, UnauthenticatedError } from '../errors.js';
import type { PasswordHasher } from '../users/passwords.js';
import { toUser } from '../users/users.mappers.js';
import { roleOf } from '../users/users.schemas.js';
import type { LoginResponse } from './auth.schemas.js';
import { InvalidTokenError, type RefreshClaims, type TokenMaker } from './tokens.js';

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
  const role = roleOf(user.role);
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

/** A spent refresh token presented again this soon is a lost answer, not a stolen token. */
export const REFRESH_GRACE_MS = 10_000;

const sameHash = (a: Buffer | null | undefined, b: Buffer) => !!a && a.length === b.length && timingSafeEqual(a, b);

/**
 * The session behind a refresh token, checked: a token we signed, a session that exists, is not
 * blocked, is the token's user's and has not expired, and a token the session accepts now (its
 * latest, or the one spent less than 10 s ago). A token of this session that it no longer accepts
 * is a spent token presented again — a stolen one: the whole session is blocked.
 */
async function sessionOf(deps: SessionDeps, refreshToken: string) {
  let claims: RefreshClaims;
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
  if (session.expires_at.getTime() <= Date.now()) throw new SessionInvalidError('the session has expired');
  const hash = sha256(refreshToken);
  const graced =
    sameHash(session.previous_refresh_token_hash, hash) &&
    session.refresh_token_spent_at !== null &&
    session.refresh_token_spent_at.getTime() > Date.now() - REFRESH_GRACE_MS;
  if (!sameHash(session.refresh_token_hash, hash) && !graced) {
    await blockSession.run({ id: session.id }, deps.db);
    throw new SessionInvalidError('this refresh token was already used: the session has been blocked');
  }
  return { session, claims, hash };
}

/** Renewal rotates the refresh token: the presented one is spent, a new one (same session expiry) comes back. */
export async function renewAccess(deps: SessionDeps, refreshToken: string) {
  const { session, claims, hash } = await sessionOf(deps, refreshToken);
  const user = maybeOne(await getUserCredentials.run({ username: claims.username }, deps.db), 'user');
  if (!user) throw new SessionInvalidError('the user no longer exists');
  const now = new Date();
  const refresh = await deps.tokens.createRefreshToken(session.id, user.username, now, session.expires_at);
  const rotated = await rotateRefreshToken.run({ id: session.id, newHash: sha256(refresh.token), presentedHash: hash }, deps.db);
  if (rotated.length === 0) throw new SessionInvalidError('the refresh token is no longer valid');
  const access = await deps.tokens.createAccessToken(session.id, user.username, roleOf(user.role), now);
  return {
    access_token: access.token,
    access_token_expires_at: access.expiresAt.toISOString(),
    refresh_token: refresh.token,
    refresh_token_expires_at: refresh.expiresAt.toISOString(),
  };
}

export async function revoke(deps: SessionDeps, refreshToken: string): Promise<string> {
  const { session } = await sessionOf(deps, refreshToken);
  await blockSession.run({ id: session.id }, deps.db);
  return session.id;
}
