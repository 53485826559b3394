// withTransaction: commit, rollback, and bounded retry with jitter on 40P01/40001 — real conflicts.

import { translatePgError } from '../../src/db/pg-errors.js';
import { createPool } from '../../src/db/pool.js';
import { withRetry, withTransaction } from '../../src/db/transaction.js';
import { UnavailableError } from '../../src/errors.js';
import { createTestDb, type TestDb } from '../setup/db.js';

let db: TestDb;
beforeAll(async () => {
  db = await createTestDb(8);
  await db.pool.query('CREATE TABLE counters (id int PRIMARY KEY, n int NOT NULL)');
  await db.pool.query('INSERT INTO counters VALUES (1, 0), (2, 0)');
});
afterAll(async () => {
  await db.drop();
});

it('commits what the callback did, and rolls everything back when it throws', async () => {
  await withTransaction(db.pool, async (tx) => {
    await tx.query('UPDATE counters SET n = n + 1 WHERE id = 1');
  });
  const boom = new Error('boom');
  await expect(
    withTransaction(db.pool, async (tx) => {
      await tx.query('UPDATE counters SET n = n + 100 WHERE id = 1');
      throw boom;
    }),
  ).rejects.toBe(boom);
  const { rows } = await db.pool.query('SELECT n FROM counters WHERE id = 1');
  expect(rows[0].n).toBe(1);
});

it('retries real serialization failures (40001) until every concurrent increment lands', async () => {
  await db.pool.query('UPDATE counters SET n = 0 WHERE id = 2');
  let attempts = 0;
  const increments = 8;
  await Promise.all(
    Array.from({ length: increments }, () =>
      withTransaction(
        db.pool,
        async (tx) => {
          attempts++;
          const { rows } = await tx.query('SELECT n FROM counters WHERE id = 2');
          await new Promise((r) => setTimeout(r, 5)); // widen the race
          await tx.query('UPDATE counters SET n = $1 WHERE id = 2', [rows[0].n + 1]);
        },
        { isolation: 'SERIALIZABLE', attempts: 50 },
      ),
    ),
  );
  const { rows } = await db.pool.query('SELECT n FROM counters WHERE id = 2');
  expect(rows[0].n).toBe(increments); // no lost update
  expect(attempts).toBeGreaterThan(increments); // and conflicts really happened and were retried
});

it('retries a deadlock (40P01) and gives up after its bounded attempts with the error as it was (the operation boundary makes it a 503)', async () => {
  let calls = 0;
  const deadlock = Object.assign(new Error('deadlock detected'), { code: '40P01' });
  await expect(
    withRetry(
      async () => {
        calls++;
        throw deadlock;
      },
      { attempts: 4, baseDelayMs: 1 },
    ),
  ).rejects.toBe(deadlock);
  expect(calls).toBe(4);
  expect(translatePgError(deadlock)).toBeInstanceOf(UnavailableError);

  calls = 0;
  const value = await withRetry(
    async () => {
      if (++calls < 3) throw Object.assign(new Error('could not serialize'), { code: '40001' });
      return 'done';
    },
    { baseDelayMs: 1 },
  );
  expect([value, calls]).toEqual(['done', 3]);
});

it('does not retry other errors', async () => {
  let calls = 0;
  await expect(
    withRetry(async () => {
      calls++;
      throw Object.assign(new Error('unique'), { code: '23505', constraint: 'users_pkey' });
    }),
  ).rejects.toMatchObject({ code: '23505' });
  expect(calls).toBe(1);
});

it('a connection that broke inside a transaction is dropped from the pool, not reused', async () => {
  const pool = createPool(db.url, { max: 1 }); // its clients keep an error listener: no crash
  const pid = async () => (await pool.query('SELECT pg_backend_pid() AS p')).rows[0].p as number;
  const first = await pid();
  await expect(
    withTransaction(
      pool,
      async (tx) => {
        await tx.query('SELECT pg_terminate_backend(pg_backend_pid())').catch(() => undefined);
        await tx.query('SELECT 1');
      },
      { attempts: 1 },
    ),
  ).rejects.toBeTruthy();
  expect(await pid()).not.toBe(first);
  await pool.end();
});

it('pool.query keeps a connection that only saw a SQL error, and drops one whose connection broke', async () => {
  const pool = createPool(db.url, { max: 1 });
  const pid = async () => (await pool.query('SELECT pg_backend_pid() AS p')).rows[0].p as number;
  const first = await pid();
  for (let i = 0; i < 5; i++) await expect(pool.query('SELECT 1 / 0')).rejects.toMatchObject({ code: '22012' });
  expect(await pid()).toBe(first); // pg-pool alone would have opened a new backend after each error
  await expect(pool.query('SELECT pg_terminate_backend(pg_backend_pid())')).rejects.toBeTruthy();
  expect(await pid()).not.toBe(first);
  await pool.end();
});
