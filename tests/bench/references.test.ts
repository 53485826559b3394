// The benchmark's references still run on this schema: each design of bench/pgbench/reference/ and
// the ledger-function script, through pgbench for a moment on a migrated test database, finish with no
// failed transaction and every balance equal to its entries. (A schema change once broke them unnoticed: #28
// made posted_amount and balance_after required, and `npm run bench` aborted in its first phase.)
import { findPgbench, preparePgbench, prepareSimplebankRef, runLedgerBatch, runPgbench, runSimplebankRef } from '../../bench/pgbench.js';
import { createTestDb, type TestDb } from '../setup/db.js';

let db: TestDb;
beforeAll(async () => {
  db = await createTestDb();
});
afterAll(async () => {
  await db.drop();
});

/** Accounts whose balance is not their seeded 1,000,000,000 plus their entries since the last reset. */
async function unbalanced(): Promise<number> {
  const { rows } = await db.pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM accounts a
      WHERE NOT is_funding
        AND balance <> 1000000000 + coalesce((SELECT sum(amount) FROM entries e WHERE e.account_id = a.id), 0)`,
  );
  return rows[0]!.n;
}

it('designs A, C and D and the ledger function run through pgbench, every balance equal to its entries', async () => {
  const tools = findPgbench(new URL('../../bench/pgbench/reference', import.meta.url).pathname);
  if (typeof tools === 'string') throw new Error(tools); // the system PostgreSQL 15 binaries are on every machine of this kind
  const lo = await preparePgbench(tools, db.url, async () => {}); // createTestDb's database is migrated
  const runs = [
    () => runPgbench(tools, db.url, lo, 'A', 'spread', 2, 1),
    () => runPgbench(tools, db.url, lo, 'C', 'spread', 2, 1),
    () => runPgbench(tools, db.url, lo, 'D', 'spread', 2, 1),
    () => runLedgerBatch(tools, db.url, lo, 16, 'spread', 2, 1),
    () => runLedgerBatch(tools, db.url, lo, 1, 'hot', 2, 1, true),
  ];
  for (const run of runs) {
    const r = run(); // each design starts from the reset state (reset.sql), the ledger runs go on from there
    expect({ name: r.name, failed: r.failed, moved: r.perSecond > 0, unbalanced: await unbalanced() }).toEqual({
      name: r.name,
      failed: 0,
      moved: true,
      unbalanced: 0,
    });
  }
}, 60_000);

it("the simplebank schema's references (../shared/pgbench, beside the checkout) run beside them with no failed transaction", async () => {
  const tools = findPgbench(new URL('../../bench/pgbench/reference', import.meta.url).pathname);
  if (typeof tools === 'string') throw new Error(tools);
  const dir = new URL('../../../shared/pgbench', import.meta.url).pathname;
  const other = await createTestDb(); // their schema.sql makes its own tables: a database of its own
  try {
    prepareSimplebankRef(tools, dir, other.url);
    for (const [design, workload] of [
      ['A', 'spread'],
      ['C', 'spread'],
      ['C', 'hot'],
    ] as const) {
      const r = runSimplebankRef(tools, dir, other.url, design, workload, 2, 1);
      expect({ name: r.name, failed: r.failed, moved: r.perSecond > 0 }).toEqual({ name: r.name, failed: 0, moved: true });
    }
  } finally {
    await other.drop();
  }
}, 60_000);
