// Login, renew and revoke. A session row backs every refresh token; access tokens name their session.
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import pg from 'pg';
import { blockSession, createSession, getSession, getSessionAuthority, rotateRefreshToken } from '../../generated/sessions.queries.js';
import { getUserCredentials } from '../../generated/users.queries.js';
import { SessionInvalidError, UnauthenticatedError } from '../errors.js';
import { maybeOne } from '../db/one.js';
import type { Queryable } from '../db/pool.js';
import type { LoginResponse } from '../users/users.schemas.js';
import { toUser } from '../users/users.mappers.js';
import type { PasswordHasher } from './passwords.js';
import type { Role } from '../users/users.schemas.js';
import { InvalidTokenError, type AccessClaims, type RefreshClaims, type TokenMaker } from './tokens.js';

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
  const access = await deps.tokens.createAccessToken(session.id, user.username, user.role as Role, now);
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

/** The channel on which the database announces changed sessions (migrations/*_session_notify.sql). */
export const SESSIONS_CHANNEL = 'simplebank_sessions';

export interface SessionGuardOptions {
  /** Where to LISTEN for changed sessions; unset: no listener, every entry lives `ttlMs` at most. */
  listenUrl?: string;
  /** How long a live session is trusted without a listener (or while it is down). */
  ttlMs?: number;
  /** How long while the listener is up: a change is announced, so the entry is dropped at once. */
  listeningTtlMs?: number;
  onError?: (err: Error) => void;
}

/**
 * Access tokens are checked against their session (blocked, deleted or expired → refused), and the
 * role they act with is the user's role in the database now, not the one written in the token. Live
 * sessions are cached to spare a query per request. With a listener, the database announces every
 * changed session and every changed role, and the entries are dropped when the change commits, so
 * entries may live long (a heartbeat notices a listener that stopped answering within 2 s); while the
 * listener is down (or absent) an entry lives 2 s at most. Nothing read before a change that arrived
 * meanwhile is cached.
 */
export function createSessionGuard(db: Queryable, opts: SessionGuardOptions = {}) {
  const ttlMs = opts.ttlMs ?? 2_000;
  const listeningTtlMs = opts.listeningTtlMs ?? 60_000;
  const cache = new Map<string, { username: string; role: Role; until: number }>();
  let epoch = 0; // moves on every announcement and every listener outage
  let listener: pg.Client | undefined;
  let listening = false;
  let closed = false;
  let retryTimer: NodeJS.Timeout | undefined;

  const forgetAll = () => {
    epoch++;
    cache.clear();
  };
  async function listen(attempt = 0): Promise<void> {
    if (closed || !opts.listenUrl) return;
    const client = new pg.Client({ connectionString: opts.listenUrl, application_name: 'simple-bank-sessions' });
    const down = (err?: Error) => {
      if (listener !== client) return;
      listener = undefined;
      listening = false;
      forgetAll();
      if (err) opts.onError?.(err);
      client.end().catch(() => {});
      if (!closed) retryTimer = setTimeout(() => void listen(attempt + 1), Math.min(250 * 2 ** attempt, 5_000));
    };
    listener = client;
    client.on('error', down);
    client.on('end', () => down());
    client.on('notification', (n) => {
      epoch++;
      const payload = n.payload ?? '';
      if (payload.startsWith('user:')) {
        const username = payload.slice(5);
        for (const [id, e] of cache) if (e.username === username) cache.delete(id);
      } else {
        cache.delete(payload);
      }
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${SESSIONS_CHANNEL}`);
      if (listener !== client) return;
      // Whatever changed while nobody listened is unknown: start from nothing.
      forgetAll();
      listening = true;
      attempt = 0;
    } catch (err) {
      down(err as Error);
    }
  }
  const started = listen();
  // A listener whose connection hangs without an error would miss announcements unnoticed: ask it
  // for a sign of life every second, and treat one that stays silent as down (entries then go).
  const heartbeat = setInterval(() => {
    const c = listener;
    if (!c || !listening) return;
    let answered = false;
    const timer = setTimeout(() => {
      if (!answered && listener === c) c.emit('error', new Error('the session listener stopped answering'));
    }, 1_000);
    c.query('SELECT 1').then(
      () => {
        answered = true;
        clearTimeout(timer);
      },
      () => clearTimeout(timer),
    );
  }, 1_000);
  heartbeat.unref();

  return {
    /** Resolves once the first attempt to listen has finished (listening or not). */
    ready: () => started,
    get listening() {
      return listening;
    },
    /** The role the token's user has now; throws when its session is no longer live. */
    async assertLive(auth: AccessClaims): Promise<Role> {
      const now = Date.now();
      const hit = cache.get(auth.sessionId);
      if (hit && hit.until > now && hit.username === auth.username) return hit.role;
      const before = epoch;
      const s = maybeOne(await getSessionAuthority.run({ id: auth.sessionId }, db), 'session');
      if (!s || s.is_blocked || s.username !== auth.username || s.expires_at.getTime() <= now) {
        cache.delete(auth.sessionId);
        throw new UnauthenticatedError('the session of this token has been revoked or has expired');
      }
      const role: Role = s.role === 'banker' ? 'banker' : 'depositor';
      if (epoch !== before) return role; // a change arrived while we read: do not keep what we read
      if (cache.size > 100_000) cache.clear();
      cache.set(auth.sessionId, {
        username: s.username,
        role,
        until: Math.min(now + (listening ? listeningTtlMs : ttlMs), s.expires_at.getTime()),
      });
      return role;
    },
    forget(sessionId: string): void {
      epoch++;
      cache.delete(sessionId);
    },
    /** Every cached session of a user (this process changed them; other replicas hear the trigger). */
    forgetUser(username: string): void {
      epoch++;
      for (const [id, e] of cache) if (e.username === username) cache.delete(id);
    },
    async close(): Promise<void> {
      closed = true;
      clearInterval(heartbeat);
      clearTimeout(retryTimer);
      const c = listener;
      listener = undefined;
      listening = false;
      await c?.end().catch(() => {});
    },
  };
}
export type SessionGuard = ReturnType<typeof createSessionGuard>;
