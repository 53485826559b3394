// What a failover looks like from the service's side, each answered 503 `unavailable` with a
// Retry-After, never a 500: PgBouncer's own refusals, a read-only server, a lock not granted, a
// query the server never answers (the client-side bound), and the pool drops such connections.
import { createServer, type Socket } from 'node:net';
import { translatePgError } from '../../src/db/pg-errors.js';
import { connectionSurvives, createPool } from '../../src/db/pool.js';
import { UnavailableError } from '../../src/errors.js';
import { createTestDb, type TestDb } from '../setup/db.js';

let db: TestDb;
beforeAll(async () => {
  db = await createTestDb(2);
});
afterAll(async () => {
  await db.drop();
});

const pgError = (code: string | undefined, message: string) => Object.assign(new Error(message), code ? { code } : {});

it.each([
  ['08P01', 'server login has been failing, try again later (server_login_retry)'],
  ['08P01', 'no more connections allowed (max_client_conn)'],
  ['08P01', 'query_wait_timeout'],
  [undefined, 'pgbouncer cannot connect to server'],
  ['08006', 'connection failure'],
  ['57P01', 'terminating connection due to administrator command'],
  ['57P03', 'the database system is starting up'],
  ['25006', 'cannot execute INSERT in a read-only transaction'],
  ['55P03', 'canceling statement due to lock timeout'],
  ['57014', 'canceling statement due to statement timeout'],
  [undefined, 'Query read timeout'],
  [undefined, 'Connection terminated unexpectedly'],
])('%s %s → 503 unavailable with Retry-After; the connection is not kept', (code, message) => {
  const err = pgError(code, message);
  const typed = translatePgError(err);
  expect(typed).toBeInstanceOf(UnavailableError);
  expect((typed as UnavailableError).retryAfterS).toBeGreaterThan(0);
  if (code !== '55P03') expect(connectionSurvives(err)).toBe(false);
});

it('a query the server does not answer is bounded on the client, and its connection is dropped', async () => {
  const pool = createPool(db.url, { max: 1, queryTimeoutMs: 300 });
  const pid = async () => (await pool.query('SELECT pg_backend_pid() AS p')).rows[0].p as number;
  const first = await pid();
  const started = Date.now();
  const err = await pool.query('SELECT pg_sleep(3)').catch((e: unknown) => e);
  expect(Date.now() - started).toBeLessThan(1_500);
  expect(translatePgError(err)).toBeInstanceOf(UnavailableError);
  expect(await pid()).not.toBe(first);
  await pool.end();
});

it('a server that accepts but never speaks (a stalled pooler) is refused within the connect bound', async () => {
  const sockets: Socket[] = [];
  const silent = createServer((s) => sockets.push(s));
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
  const port = (silent.address() as { port: number }).port;
  const pool = createPool(`postgres://x@127.0.0.1:${port}/x`, { max: 1, connectTimeoutMs: 500 });
  const started = Date.now();
  const err = await pool.query('SELECT 1').catch((e: unknown) => e);
  expect(Date.now() - started).toBeLessThan(1_500);
  expect(translatePgError(err)).toBeInstanceOf(UnavailableError);
  await pool.end();
  for (const s of sockets) s.destroy();
  silent.close();
});
