// Reads through a replica fall back to the primary when the replica cannot answer, within a bound,
// and skip it for a while; a SQL error of the query itself is the answer, not a reason to fall back.
import { createPool } from '../../src/db/pool.js';
import { createReadRouter } from '../../src/db/read-replica.js';
import { freePort } from '../process/helpers.js';
import { createTestDb, type TestDb } from '../setup/db.js';

let db: TestDb;
beforeAll(async () => {
  db = await createTestDb(2);
});
afterAll(async () => {
  await db.drop();
});

it('a replica that is down never fails a read: it goes to the primary, and the replica is skipped for a while', async () => {
  const dead = createPool(`postgres://postgres@127.0.0.1:${await freePort()}/nothing`, { connectTimeoutMs: 1_000, queryTimeoutMs: 2_000 });
  const fallbacks: string[] = [];
  const reads = createReadRouter(db.pool, dead, (e) => fallbacks.push(e.message));
  try {
    const started = Date.now();
    const { rows } = await reads.query('SELECT 41 + 1 AS n');
    expect(rows[0].n).toBe(42);
    expect(Date.now() - started).toBeLessThan(2_500);
    await reads.query('SELECT 1');
    expect(reads.counts).toEqual({ replica: 0, fallback: 2 });
    expect(fallbacks).toHaveLength(1); // the second read did not try the replica again
  } finally {
    await dead.end();
  }
});

it('a live replica answers; its SQL errors are the answer', async () => {
  const replica = createPool(db.url, { max: 1 });
  const reads = createReadRouter(db.pool, replica);
  try {
    expect((await reads.query('SELECT 1 AS n')).rows[0].n).toBe(1);
    await expect(reads.query('SELECT 1 / 0')).rejects.toMatchObject({ code: '22012' });
    expect(reads.counts).toEqual({ replica: 1, fallback: 0 });
  } finally {
    await replica.end();
  }
});
