// The session cache: access tokens are checked against their session, and live sessions are cached
// to spare a query per request. The database announces changes (LISTEN/NOTIFY); see below.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { getSessionAuthority } from '../../generated/sessions.queries.js';
import type { Caller } from '../caller.js';
import { maybeOne } from '../db/one.js';
import type { Queryable } from '../db/pool.js';
import { UnauthenticatedError } from '../errors.js';
import { type Role, roleOf } from '../users/users.schemas.js';

/** The channel on which the database announces changed sessions (migrations/*_session_notify.sql). */
export const SESSIONS_CHANNEL = 'simplebank_sessions';

export interface SessionCacheOptions {
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
 * entries may live long (a heartbeat notices a listener that stopped delivering within 2 s); while the
 * listener is down (or absent) an entry lives 2 s at most. Nothing read before a change that arrived
 * meanwhile is cached.
 */
export function createSessionCache(db: Queryable, opts: SessionCacheOptions = {}) {
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
  // The heartbeat proves delivery, not only a connection: another connection (the pool's) NOTIFYs,
  // and the listener must hear it within a second. A listener that answers queries but is never
  // given what others announce (LISTEN through a transaction-mode pooler: the LISTEN ran on a server
  // connection that is not its own between queries) is not a listener: entries then live 2 s at most.
  // (NOTIFYing itself would not prove it: an idle pooler may hand it the same server connection back.)
  const me = `heartbeat:${randomUUID()}:`;
  let beat = 0;
  const awaited = new Map<string, () => void>();
  function probe(): Promise<void> {
    const payload = `${me}${++beat}`;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        awaited.delete(payload);
        reject(
          new Error(
            'the session listener does not receive notifications (is DATABASE_SESSION_URL a transaction-mode pooler? it must be a direct connection or a session-mode pool)',
          ),
        );
      }, 1_000);
      awaited.set(payload, () => {
        clearTimeout(timer);
        awaited.delete(payload);
        resolve();
      });
      db.query('SELECT pg_notify($1, $2)', [SESSIONS_CHANNEL, payload]).catch((err: Error) => {
        clearTimeout(timer);
        awaited.delete(payload);
        reject(err);
      });
    });
  }

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
      const payload = n.payload ?? '';
      if (payload.startsWith('heartbeat:')) return void awaited.get(payload)?.();
      epoch++;
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
      await probe();
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
  // A listener whose connection hangs, or stops delivering, would miss announcements unnoticed:
  // every second it must hear itself again, else it is down (entries then go, and it reconnects).
  let probing = false;
  const heartbeat = setInterval(() => {
    const c = listener;
    if (!c || !listening || probing) return;
    probing = true;
    probe()
      .catch((err: Error) => {
        if (listener === c) c.emit('error', err);
      })
      .finally(() => {
        probing = false;
      });
  }, 1_000);
  heartbeat.unref();

  return {
    /** Resolves once the first attempt to listen has finished (listening or not). */
    ready: () => started,
    get listening() {
      return listening;
    },
    /** The role the token's user has now; throws when its session is no longer live. */
    async assertLive(caller: Caller): Promise<Role> {
      const now = Date.now();
      const hit = cache.get(caller.sessionId);
      if (hit && hit.until > now && hit.username === caller.username) return hit.role;
      const before = epoch;
      const s = maybeOne(await getSessionAuthority.run({ id: caller.sessionId }, db), 'session');
      if (!s || s.is_blocked || s.username !== caller.username || s.expires_at.getTime() <= now) {
        cache.delete(caller.sessionId);
        throw new UnauthenticatedError('the session of this token has been revoked or has expired');
      }
      const role = roleOf(s.role);
      if (epoch !== before) return role; // a change arrived while we read: do not keep what we read
      if (cache.size > 100_000) cache.clear();
      cache.set(caller.sessionId, {
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
export type SessionCache = ReturnType<typeof createSessionCache>;
