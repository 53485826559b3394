// Login, renew and revoke. A session row backs every refresh token; access tokens name their session.
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import {
  blockSession,
  createSession,
  getSession,
  replaceUnusedRefreshToken,
  rotateRefreshToken,
} from '../../generated/sessions.queries.js';
import { getUserCredentials, type IGetUserCredentialsResult } from '../../generated/users.queries.js';
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
  const made = await createSession.run(
    {
      id: sessionId,
      username: user.username,
      checkedHash: user.hashed_password,
      refreshTokenHash: sha256(refresh.token),
      userAgent: input.userAgent.slice(0, 500),
      clientIp: input.clientIp,
      expiresAt: refresh.expiresAt,
    },
    deps.db,
  );
  // The password changed while it was being checked: the one given is no longer the user's.
  if (made.length === 0) throw new UnauthenticatedError('wrong username or password');
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
  return { session, claims, hash, graced: !sameHash(session.refresh_token_hash, hash) };
}

/** The jti of a spent token's successor: a UUID (version 8) named by the spent token's hash. */
function successorJti(purpose: 'access' | 'refresh', spentHash: Buffer): string {
  const b = createHash('sha256').update(`simple-bank:successor:${purpose}:`).update(spentHash).digest();
  b[6] = (b[6]! & 0x0f) | 0x80;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.subarray(0, 16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * The pair that replaces the token hashed `spentHash`, spent at `spentAt`: the same inputs make the
 * same tokens, so a renewal that comes second — a lost answer, or a race with the first — answers the
 * first one's pair again instead of a new one (which would leave the client a token the session no
 * longer accepts).
 */
async function successorPair(
  deps: SessionDeps,
  session: { id: string; expires_at: Date },
  user: Pick<IGetUserCredentialsResult, 'username' | 'role'>,
  spentHash: Buffer,
  spentAt: Date,
) {
  const refresh = await deps.tokens.createRefreshToken(
    session.id,
    user.username,
    spentAt,
    session.expires_at,
    successorJti('refresh', spentHash),
  );
  const access = await deps.tokens.createAccessToken(
    session.id,
    user.username,
    roleOf(user.role),
    spentAt,
    successorJti('access', spentHash),
  );
  return {
    refreshHash: sha256(refresh.token),
    answer: {
      access_token: access.token,
      access_token_expires_at: access.expiresAt.toISOString(),
      refresh_token: refresh.token,
      refresh_token_expires_at: refresh.expiresAt.toISOString(),
    },
  };
}

/**
 * Renewal rotates the refresh token: the presented one is spent, its successor (same session expiry)
 * comes back. The session's just-spent token, within the grace and while its successor is unused,
 * answers that successor's pair again, byte for byte; so renewals racing with one token all answer
 * one pair, whichever reaches the database first.
 */
export async function renewAccess(deps: SessionDeps, refreshToken: string) {
  // Two rounds at most: a renewal that loses the race to spend the current token reads the session
  // again, and then finds the token graced with the winner's successor.
  for (let round = 0; ; round++) {
    const { session, claims, hash, graced } = await sessionOf(deps, refreshToken);
    const user = maybeOne(await getUserCredentials.run({ username: claims.username }, deps.db), 'user');
    if (!user) throw new SessionInvalidError('the user no longer exists');
    if (!graced) {
      const spentAt = new Date();
      const next = await successorPair(deps, session, user, hash, spentAt);
      const rotated = await rotateRefreshToken.run({ id: session.id, newHash: next.refreshHash, presentedHash: hash, spentAt }, deps.db);
      if (rotated.length > 0) return next.answer;
    } else {
      const again = await successorPair(deps, session, user, hash, session.refresh_token_spent_at!);
      if (sameHash(session.refresh_token_hash, again.refreshHash)) return again.answer;
      // A successor this key cannot make again: replace it with a new one while it is still unused.
      const fresh = await deps.tokens.createRefreshToken(session.id, user.username, new Date(), session.expires_at);
      const access = await deps.tokens.createAccessToken(session.id, user.username, roleOf(user.role));
      const replaced = await replaceUnusedRefreshToken.run(
        { id: session.id, newHash: sha256(fresh.token), unusedHash: session.refresh_token_hash, presentedHash: hash },
        deps.db,
      );
      if (replaced.length > 0) {
        return {
          access_token: access.token,
          access_token_expires_at: access.expiresAt.toISOString(),
          refresh_token: fresh.token,
          refresh_token_expires_at: fresh.expiresAt.toISOString(),
        };
      }
    }
    if (round === 1) throw new SessionInvalidError('the refresh token is no longer valid');
  }
}

export async function revoke(deps: SessionDeps, refreshToken: string): Promise<string> {
  const { session } = await sessionOf(deps, refreshToken);
  await blockSession.run({ id: session.id }, deps.db);
  return session.id;
}
