// The ledger function (sql/functions/ledger_apply.pgsql), against real Postgres: a batch answers every item as it would be answered
// alone, refusals never fail their neighbours, and the same random sequence ends in the same
// state whether it is applied one by one or in batches.
import { randomBytes } from 'node:crypto';
import { type AccountId, asAccountId, asCents } from '../../src/ids.js';
import { applyBatch, applyOne, type LedgerResult, type MovementAnswer, type MovementRequest } from '../../src/transfers/ledger.js';
import { verifyLedger } from '../../src/transfers/ledger.verify.js';
import type { TransferResult } from '../../src/transfers/transfers.schemas.js';
import { createTestDb, type TestDb } from '../setup/db.js';
import { balanceOf, countRows, makeAccount, makeUser } from '../setup/fixtures.js';

const MAX = Number.MAX_SAFE_INTEGER;
const TTL = 86_400_000;

let db: TestDb;
let twin: TestDb;
beforeAll(async () => {
  [db, twin] = await Promise.all([createTestDb(), createTestDb()]);
});
afterAll(async () => {
  await Promise.all([db.drop(), twin.drop()]);
});

/** What an answer says, without the parts that differ between two runs (timestamps). */
function shape(a: MovementAnswer<LedgerResult>) {
  if (!a.ok) return { ok: false, replayed: a.replayed, status: a.error.status, code: a.error.code, detail: a.error.message };
  const r = a.result as TransferResult; // these batches hold money movements only
  return {
    ok: true,
    replayed: a.replayed,
    transfer: { ...r.transfer, created_at: undefined },
    // Owners carry a random suffix per database.
    from_account: { ...r.from_account, created_at: undefined, owner: undefined },
    from_entry: { ...r.from_entry, created_at: undefined },
    to_entry: { ...r.to_entry, created_at: undefined },
  };
}

async function oneByOne(target: TestDb, requests: MovementRequest[]) {
  const out: MovementAnswer<LedgerResult>[] = [];
  for (const r of requests) out.push(...(await applyBatch(target.pool, [r], TTL)));
  return out;
}

describe('a batch mixing good items with every refusal', () => {
  it('answers each item exactly as alone, in order, and writes only the good ones', async () => {
    // The same accounts in both databases (same ids: both are clones of one template).
    const setup = async (d: TestDb) => {
      const alice = await makeUser(d.pool, 'alice');
      const bob = await makeUser(d.pool, 'bob');
      const a = (await makeAccount(d.pool, alice, 'USD', 1_000)).id;
      const b = (await makeAccount(d.pool, bob, 'USD', 50)).id;
      const e = (await makeAccount(d.pool, bob, 'EUR', 0)).id;
      const big = (await makeAccount(d.pool, bob, 'CAD', 0)).id;
      return { alice, a, b, e, big };
    };
    const [s, s2] = [await setup(db), await setup(twin)];
    expect([s2.a, s2.b, s2.e, s2.big]).toEqual([s.a, s.b, s.e, s.big]);
    const items = (x: typeof s): MovementRequest[] => [
      { movement: { kind: 'transfer', fromAccountId: x.a, toAccountId: x.b, amount: asCents(300), currency: 'USD', actingOwner: x.alice } },
      { movement: { kind: 'transfer', fromAccountId: x.a, toAccountId: x.a, amount: asCents(1), currency: 'USD' } }, // same_account
      { movement: { kind: 'transfer', fromAccountId: x.a, toAccountId: x.b, amount: asCents(701), currency: 'USD' } }, // insufficient (700 left)
      { movement: { kind: 'transfer', fromAccountId: x.a, toAccountId: x.e, amount: asCents(1), currency: 'USD' } }, // currency_mismatch
      { movement: { kind: 'transfer', fromAccountId: asAccountId(9_999_999), toAccountId: x.b, amount: asCents(1), currency: 'USD' } }, // from not found
      { movement: { kind: 'transfer', fromAccountId: x.a, toAccountId: asAccountId(9_999_998), amount: asCents(1), currency: 'USD' } }, // to not found
      { movement: { kind: 'transfer', fromAccountId: x.b, toAccountId: x.a, amount: asCents(1), currency: 'USD', actingOwner: x.alice } }, // forbidden
      { movement: { kind: 'deposit', accountId: x.e, amount: asCents(40) } },
      { movement: { kind: 'withdrawal', accountId: x.e, amount: asCents(41) } }, // insufficient (40)
      { movement: { kind: 'deposit', accountId: asAccountId(9_999_997), amount: asCents(1) } }, // not found
      { movement: { kind: 'deposit', accountId: x.big, amount: asCents(MAX) } },
      { movement: { kind: 'deposit', accountId: x.big, amount: asCents(1) } }, // balance_limit_exceeded (both sides)
      { movement: { kind: 'transfer', fromAccountId: x.a, toAccountId: x.b, amount: asCents(700), currency: 'USD' } }, // exactly what is left
      { movement: { kind: 'withdrawal', accountId: x.e, amount: asCents(40) } },
    ];
    const before = await countRows(db.pool);
    const batched = await applyBatch(db.pool, items(s), TTL);
    const alone = await oneByOne(twin, items(s2));

    expect(batched.map(shape)).toEqual(alone.map(shape));
    expect(batched.map((x) => (x.ok ? 201 : `${x.error.status} ${x.error.code}`))).toEqual([
      201,
      '422 same_account',
      '422 insufficient_funds',
      '422 currency_mismatch',
      '404 not_found',
      '404 not_found',
      '403 forbidden',
      201,
      '422 insufficient_funds',
      '404 not_found',
      201,
      '422 balance_limit_exceeded',
      201,
      201,
    ]);
    // from_account.balance is the balance right after that item.
    const ok = batched.filter((x): x is Extract<MovementAnswer, { ok: true }> => x.ok);
    expect(ok[0]!.result.from_account).toMatchObject({ id: s.a, balance: 700 });
    expect(ok[2]!.result.from_account.balance).toBe(-MAX); // the CAD funding account, at its limit
    expect(ok[3]!.result.from_account).toMatchObject({ id: s.a, balance: 0 });
    expect(ok[4]!.result.from_account).toMatchObject({ id: s.e, balance: 0 });
    expect(await countRows(db.pool)).toEqual({ transfers: before.transfers + 5, entries: before.entries + 10 });
    expect(await balanceOf(db.pool, s.a)).toBe(0);
    expect(await balanceOf(db.pool, s.b)).toBe(1_050);
    expect(await balanceOf(db.pool, s.big)).toBe(MAX);
    expect((await verifyLedger(db.pool)).violations).toEqual([]);
    expect((await verifyLedger(twin.pool)).violations).toEqual([]);
  });
});

describe('differential: the same random sequence, one by one and in batches', () => {
  it('ends in the same balances with the same per-item outcomes', async () => {
    const setup = async (d: TestDb) => {
      const users = [await makeUser(d.pool, 'p'), await makeUser(d.pool, 'q'), await makeUser(d.pool, 'r')];
      const accounts: { id: AccountId; owner: string; currency: string }[] = [];
      for (const u of users) {
        for (const c of ['USD', 'EUR']) accounts.push({ id: (await makeAccount(d.pool, u, c, 200)).id, owner: u, currency: c });
      }
      return accounts;
    };
    const [acc, acc2] = [await setup(db), await setup(twin)];
    expect(acc2.map((x) => x.id)).toEqual(acc.map((x) => x.id));

    // A seeded sequence: transfers (often refused: funds, currency, ownership), deposits, withdrawals.
    let seed = 0x5eed; // mulberry32: a seeded sequence, the same on every run
    const rnd = (n: number) => {
      seed = (seed + 0x6d2b79f5) | 0;
      let z = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      z = (z + Math.imul(z ^ (z >>> 7), 61 | z)) ^ z;
      return ((z ^ (z >>> 14)) >>> 0) % n;
    };
    const plan: { kind: number; from: number; to: number; amount: number; cur: number; owner: boolean }[] = [];
    for (let i = 0; i < 400; i++) {
      plan.push({ kind: rnd(10), from: rnd(acc.length), to: rnd(acc.length), amount: 1 + rnd(150), cur: rnd(10), owner: rnd(4) === 0 });
    }
    const requests = (xs: typeof acc): MovementRequest[] =>
      plan.map((p) => {
        const from = xs[p.from]!;
        const to = xs[p.to]!;
        if (p.kind === 0) return { movement: { kind: 'deposit', accountId: from.id, amount: asCents(p.amount) } };
        if (p.kind === 1) return { movement: { kind: 'withdrawal', accountId: from.id, amount: asCents(p.amount) } };
        return {
          movement: {
            kind: 'transfer',
            fromAccountId: from.id,
            toAccountId: to.id,
            amount: asCents(p.amount),
            currency: p.cur === 0 ? to.currency : from.currency,
            actingOwner: p.owner ? xs[(p.from + 2) % xs.length]!.owner : from.owner,
          },
        };
      });

    const alone = await oneByOne(twin, requests(acc2));
    const all = requests(acc);
    const batched: MovementAnswer<LedgerResult>[] = [];
    for (let i = 0; i < all.length; ) {
      const size = 1 + rnd(40);
      batched.push(...(await applyBatch(db.pool, all.slice(i, i + size), TTL)));
      i += size;
    }
    expect(batched.map(shape)).toEqual(alone.map(shape));
    const outcomes = new Set(batched.map((x) => (x.ok ? 'ok' : x.error.code)));
    expect([...outcomes].sort()).toEqual(['currency_mismatch', 'forbidden', 'insufficient_funds', 'ok', 'same_account']);
    for (let i = 0; i < acc.length; i++) expect(await balanceOf(db.pool, acc[i]!.id)).toBe(await balanceOf(twin.pool, acc2[i]!.id));
    expect((await verifyLedger(db.pool)).violations).toEqual([]);
  });
});

describe('idempotency inside a batch', () => {
  it('the same key twice in one batch: one movement, the second a replay of the first; a later batch replays too', async () => {
    const u = await makeUser(db.pool, 'keyed');
    const a = (await makeAccount(db.pool, u, 'USD', 100)).id;
    const b = (await makeAccount(db.pool, await makeUser(db.pool, 'other'), 'USD', 0)).id;
    const claim = { username: u, key: `k-${randomBytes(4).toString('hex')}`, fingerprint: Buffer.from('same request') };
    const other = { ...claim, fingerprint: Buffer.from('another request') };
    const move: MovementRequest['movement'] = {
      kind: 'transfer',
      fromAccountId: a,
      toAccountId: b,
      amount: asCents(30),
      currency: 'USD',
      actingOwner: u,
    };
    const before = await countRows(db.pool);
    const [first, second, reused] = await applyBatch(
      db.pool,
      [
        { movement: move, idempotency: claim },
        { movement: move, idempotency: claim },
        { movement: move, idempotency: other },
      ],
      TTL,
    );
    expect(first).toMatchObject({ ok: true, replayed: false });
    expect(second).toMatchObject({ ok: true, replayed: true });
    expect(second!.ok && second!.result).toEqual(first!.ok && first!.result);
    expect(reused).toMatchObject({ ok: false, replayed: false, error: { status: 422, code: 'idempotency_key_reused' } });
    expect(await countRows(db.pool)).toEqual({ transfers: before.transfers + 1, entries: before.entries + 2 });

    const [later] = await applyBatch(db.pool, [{ movement: move, idempotency: claim }], TTL);
    expect(later).toMatchObject({ ok: true, replayed: true });
    expect(later!.ok && later!.result).toEqual(first!.ok && first!.result);
    expect(await balanceOf(db.pool, a)).toBe(70);
  });

  it('a stored 422 replays as the same refusal even when the funds are there now', async () => {
    const u = await makeUser(db.pool, 'broke');
    const a = (await makeAccount(db.pool, u, 'USD', 5)).id;
    const b = (await makeAccount(db.pool, await makeUser(db.pool, 'payee'), 'USD', 0)).id;
    const claim = { username: u, key: 'broke-1', fingerprint: Buffer.from('x') };
    const move: MovementRequest['movement'] = { kind: 'transfer', fromAccountId: a, toAccountId: b, amount: asCents(10), currency: 'USD' };
    const [refused] = await applyBatch(db.pool, [{ movement: move, idempotency: claim }], TTL);
    expect(refused).toMatchObject({ ok: false, replayed: false, error: { code: 'insufficient_funds' } });
    const [topUp, replay] = await applyBatch(
      db.pool,
      [{ movement: { kind: 'deposit', accountId: a, amount: asCents(100) } }, { movement: move, idempotency: claim }],
      TTL,
    );
    expect(topUp!.ok).toBe(true);
    expect(replay).toMatchObject({
      ok: false,
      replayed: true,
      error: { status: 422, code: 'insufficient_funds', message: 'insufficient funds' },
    });
    expect(await balanceOf(db.pool, a)).toBe(105);
  });

  it('a key held by another transaction is 409 in use for that item only', async () => {
    const u = await makeUser(db.pool, 'held');
    const a = (await makeAccount(db.pool, u, 'USD', 100)).id;
    const b = (await makeAccount(db.pool, await makeUser(db.pool, 'payee'), 'USD', 0)).id;
    const holder = await db.pool.connect();
    try {
      await holder.query('BEGIN');
      await holder.query(`SELECT pg_advisory_xact_lock(hashtextextended($1 || E'\\n' || $2, 0))`, [u, 'busy']);
      const move: MovementRequest['movement'] = { kind: 'transfer', fromAccountId: a, toAccountId: b, amount: asCents(1), currency: 'USD' };
      const [held, free] = await applyBatch(
        db.pool,
        [
          { movement: move, idempotency: { username: u, key: 'busy', fingerprint: Buffer.from('f') } },
          { movement: move, idempotency: { username: u, key: 'free', fingerprint: Buffer.from('f') } },
        ],
        TTL,
      );
      expect(held).toMatchObject({ ok: false, error: { status: 409, code: 'idempotency_key_in_use' } });
      expect(free).toMatchObject({ ok: true, replayed: false });
    } finally {
      await holder.query('ROLLBACK');
      holder.release();
    }
  });

  it('an expired stored answer does not replay: the movement runs again and its answer is stored anew', async () => {
    const u = await makeUser(db.pool, 'expired');
    const a = (await makeAccount(db.pool, u, 'USD', 100)).id;
    const b = (await makeAccount(db.pool, await makeUser(db.pool, 'payee'), 'USD', 0)).id;
    const claim = { username: u, key: 'old', fingerprint: Buffer.from('f') };
    const move: MovementRequest['movement'] = { kind: 'transfer', fromAccountId: a, toAccountId: b, amount: asCents(10), currency: 'USD' };
    await applyBatch(db.pool, [{ movement: move, idempotency: claim }], TTL);
    await db.pool.query(`UPDATE idempotency_keys SET created_at = now() - interval '2 days' WHERE username = $1`, [u]);
    const [again] = await applyBatch(db.pool, [{ movement: move, idempotency: claim }], TTL);
    expect(again).toMatchObject({ ok: true, replayed: false });
    expect(await balanceOf(db.pool, a)).toBe(80);
    const { rows } = await db.pool.query(
      `SELECT count(*)::int AS n, max(created_at) > now() - interval '1 minute' AS fresh FROM idempotency_keys WHERE username = $1`,
      [u],
    );
    expect(rows[0]).toEqual({ n: 1, fresh: true });
  });
});

it('timestamps in the answer are those the database stored, to the millisecond', async () => {
  const { rows } = await db.pool.query<{ a: string; b: string }>(
    `SELECT api_timestamp('2026-12-01 17:00:00.999999+00') AS a, api_timestamp('2026-12-01 17:00:00.0005+00') AS b`,
  );
  // JavaScript truncates microseconds the same way when pg parses a timestamptz into a Date.
  expect(rows[0]).toEqual({ a: '2026-12-01T17:00:00.999Z', b: '2026-12-01T17:00:00.000Z' });
  const u = await makeUser(db.pool, 'ts');
  const a = (await makeAccount(db.pool, u, 'USD', 100)).id;
  const out = await applyOne(db.pool, { movement: { kind: 'withdrawal' as const, accountId: a, amount: asCents(1) } }, TTL);
  const {
    rows: [t],
  } = await db.pool.query<{ created_at: Date }>('SELECT created_at FROM transfers WHERE id = $1', [out.ok && out.result.transfer.id]);
  expect(out.ok && out.result.transfer.created_at).toBe(t!.created_at.toISOString());
});
