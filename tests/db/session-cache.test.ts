// The session cache against real Postgres: a live session is checked once and then trusted, and a
// change made by anyone (SQL by hand here) is honoured at once through LISTEN/NOTIFY; without the
// listener, entries live 2 s at most.
import { randomUUID } from 'node:crypto';
import { createSessionCache } from '../../src/auth/session-cache.js';
import type { Caller } from '../../src/caller.js';
import type { Queryable } from '../../src/db/pool.js';
import { createTestDb, type TestDb } from '../setup/db.js';
import { makeUser } from '../setup/fixtures.js';

let db: TestDb;
beforeAll(async () => {
  db = await createTestDb();
});
afterAll(async () => {
  await db.drop();
});

/** A Queryable that counts the session lookups the guard makes. */
function counting(): { db: Queryable; reads: () => number } {
  let n = 0;
  return {
    db: {
      query: (...args: unknown[]) => {
        // Session reads only: the listener's heartbeat NOTIFYs through this pool too, once a second.
        if (!String(args[0]).includes('pg_notify')) n++;
        return (db.pool.query as (...a: unknown[]) => unknown)(...args);
      },
    } as unknown as Queryable,
    reads: () => n,
  };
}

async function newSession(username: string): Promise<Caller> {
  const id = randomUUID();
  await db.pool.query(
    `INSERT INTO sessions (id, username, refresh_token_hash, user_agent, client_ip, expires_at)
     VALUES ($1, $2, decode(repeat('00', 32), 'hex'), 'test', '127.0.0.1', now() + interval '1 hour')`,
    [id, username],
  );
  return { sessionId: id, username, role: 'depositor', issuedAt: new Date(), expiresAt: new Date(Date.now() + 900_000) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function refusedWithin(guard: ReturnType<typeof createSessionCache>, auth: Caller, ms: number): Promise<number> {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    if (
      await guard.assertLive(auth).then(
        () => false,
        () => true,
      )
    )
      return Date.now() - t0;
    await sleep(20);
  }
  return Infinity;
}

it('with the listener: checked once, then trusted past 2 s; a block by anyone is honoured at once', async () => {
  const user = await makeUser(db.pool, 'guard');
  const auth = await newSession(user);
  const c = counting();
  const guard = createSessionCache(c.db, { listenUrl: db.url });
  try {
    await guard.ready();
    expect(guard.listening).toBe(true);
    await guard.assertLive(auth);
    await guard.assertLive(auth);
    await sleep(2_200);
    await guard.assertLive(auth);
    expect(c.reads()).toBe(1);

    await db.pool.query('UPDATE sessions SET is_blocked = true WHERE id = $1', [auth.sessionId]);
    expect(await refusedWithin(guard, auth, 1_500)).toBeLessThan(1_000);
  } finally {
    await guard.close();
  }
});

it('a deleted session (its user removed) is refused at once too', async () => {
  const user = await makeUser(db.pool, 'gone');
  const auth = await newSession(user);
  const guard = createSessionCache(db.pool, { listenUrl: db.url });
  try {
    await guard.ready();
    await guard.assertLive(auth);
    await db.pool.query('DELETE FROM users WHERE username = $1', [user]); // cascades to its sessions
    expect(await refusedWithin(guard, auth, 1_500)).toBeLessThan(1_000);
  } finally {
    await guard.close();
  }
});

it('when the listener is cut off, entries live 2 s at most, and it listens again by itself', async () => {
  const user = await makeUser(db.pool, 'cut');
  const auth = await newSession(user);
  const c = counting();
  const guard = createSessionCache(c.db, { listenUrl: db.url });
  try {
    await guard.ready();
    await db.pool.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'simple-bank-sessions' AND datname = current_database()`,
    );
    for (let i = 0; i < 50 && guard.listening; i++) await sleep(20);
    expect(guard.listening).toBe(false);
    await guard.assertLive(auth);
    const reads = c.reads();
    // Blocked while nobody listens: the 2 s bound still holds.
    await db.pool.query('UPDATE sessions SET is_blocked = true WHERE id = $1', [auth.sessionId]);
    expect(await refusedWithin(guard, auth, 3_000)).toBeLessThanOrEqual(2_100);
    expect(c.reads()).toBeGreaterThan(reads);
    for (let i = 0; i < 100 && !guard.listening; i++) await sleep(50);
    expect(guard.listening).toBe(true);
  } finally {
    await guard.close();
  }
});

it('without a listener, a live session is read again after 2 s', async () => {
  const user = await makeUser(db.pool, 'plain');
  const auth = await newSession(user);
  const c = counting();
  const guard = createSessionCache(c.db);
  await guard.ready();
  await guard.assertLive(auth);
  await guard.assertLive(auth);
  expect(c.reads()).toBe(1);
  await sleep(2_100);
  await guard.assertLive(auth);
  expect(c.reads()).toBe(2);
  await guard.close();
});

it('a listener whose connection hangs silently is noticed by its heartbeat within 2 s, and its entries go', async () => {
  const { createServer, connect } = await import('node:net');
  const target = new URL(db.url);
  // A TCP relay in front of Postgres for the listener only, that can go silent without closing.
  let frozen = false;
  const sockets: import('node:net').Socket[] = [];
  const relay = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    sockets.push(client, upstream);
    client.on('data', (d) => !frozen && upstream.write(d));
    upstream.on('data', (d) => !frozen && client.write(d));
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((r) => relay.listen(0, '127.0.0.1', r));
  const addr = relay.address();
  const relayed = new URL(db.url);
  relayed.hostname = '127.0.0.1';
  relayed.port = String(typeof addr === 'object' && addr ? addr.port : 0);

  const user = await makeUser(db.pool, 'hang');
  const auth = await newSession(user);
  const c = counting();
  const guard = createSessionCache(c.db, { listenUrl: relayed.toString() });
  try {
    await guard.ready();
    expect(guard.listening).toBe(true);
    await guard.assertLive(auth);
    frozen = true; // announcements would now be lost without anyone knowing
    await db.pool.query('UPDATE sessions SET is_blocked = true WHERE id = $1', [auth.sessionId]);
    expect(await refusedWithin(guard, auth, 3_000)).toBeLessThanOrEqual(2_500);
  } finally {
    await guard.close();
    for (const s of sockets) s.destroy();
    relay.close();
  }
});

it('a listener that connects but is never given the announcements does not count as listening (entries live 2 s)', async () => {
  // LISTEN on another database of the same server: queries answer, notifications of ours never arrive
  // (what LISTEN through a transaction-mode pooler looks like).
  const errors: string[] = [];
  const elsewhere = process.env.SIMPLEBANK_TEST_ADMIN_URL!;
  const guard = createSessionCache(db.pool, { listenUrl: elsewhere, onError: (e) => errors.push(e.message) });
  try {
    await guard.ready();
    expect(guard.listening).toBe(false);
    expect(errors[0]).toMatch(/does not receive notifications/);
  } finally {
    await guard.close();
  }
});
