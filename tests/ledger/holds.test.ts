// Money that waits and comes back (API v1.3), at the ledger: a conformance table of a hold's life
// modeled on TigerBeetle's two-phase transfers (every post / void / expiry / reversal combination,
// partial amounts, repeats, keys), then the races the peers lost, against real Postgres.
import { expireHolds, getTransfer } from '../../generated/transfers.queries.js';
import { type AccountId, asCents, type TransferId } from '../../src/ids.js';
import { fingerprint } from '../../src/transfers/idempotency.js';
import type { Movement } from '../../src/transfers/ledger.js';
import { verifyLedger } from '../../src/transfers/ledger.verify.js';
import { createTestDb, type TestDb } from '../setup/db.js';
import { makeAccount, makeUser } from '../setup/fixtures.js';
import { act, hold, transfer } from '../setup/ledger.js';

let db: TestDb;
beforeAll(async () => {
  db = await createTestDb(40);
});
afterAll(async () => {
  expect((await verifyLedger(db.pool)).violations).toEqual([]);
  await db.drop();
});

/** An account's posted balance and its live holds out and in, as the database has them now. */
async function state(id: AccountId) {
  const { rows } = await db.pool.query<{ balance: string; status: string; pd: string; pc: string }>(
    `SELECT a.balance, a.status,
            (SELECT coalesce(sum(amount), 0) FROM transfers WHERE from_account_id = a.id AND status = 'pending' AND expires_at > now()) AS pd,
            (SELECT coalesce(sum(amount), 0) FROM transfers WHERE to_account_id = a.id AND status = 'pending' AND expires_at > now()) AS pc
     FROM accounts a WHERE a.id = $1`,
    [id],
  );
  const r = rows[0]!;
  return { balance: Number(r.balance), available: Number(r.balance) - Number(r.pd), pendingCredits: Number(r.pc), status: r.status };
}

async function transferRow(id: TransferId) {
  const [t] = await getTransfer.run({ id }, db.pool);
  const { rows } = await db.pool.query<{ n: string }>('SELECT count(*) AS n FROM entries WHERE transfer_id = $1', [id]);
  return { status: t!.status, posted_amount: Number(t!.posted_amount), entries: Number(rows[0]!.n) };
}

/** The hold's expiry moved into the past: the database clock has passed it (no job has run). */
const lapse = (id: TransferId) => db.pool.query("UPDATE transfers SET expires_at = now() - interval '1 second' WHERE id = $1", [id]);
const expireJob = () => expireHolds.run({ limit: 1_000 }, db.pool);

async function parties() {
  const payer = await makeUser(db.pool, 'payer');
  const payee = await makeUser(db.pool, 'payee');
  const from = await makeAccount(db.pool, payer, 'USD', 1_000);
  const to = await makeAccount(db.pool, payee, 'USD');
  return { payer, payee, from: from.id, to: to.id };
}

type Step = 'post' | `post:${number}` | 'void' | 'lapse' | 'expire' | `reverse:${number}` | 'reverse' | 'freeze-from' | 'freeze-to';

/**
 * Each row: a hold of 100 from an account of 1,000, the steps in order, what each answers ('ok' or the
 * refusal's code), then the hold's status, posted_amount and entry count, and the two accounts.
 */
const TABLE: [Step[], string[], { status: string; posted: number; entries: number; from: number; available: number; to: number }][] = [
  [['post'], ['ok'], { status: 'posted', posted: 100, entries: 2, from: 900, available: 900, to: 100 }],
  [['post:40'], ['ok'], { status: 'posted', posted: 40, entries: 2, from: 960, available: 960, to: 40 }],
  [['post:100'], ['ok'], { status: 'posted', posted: 100, entries: 2, from: 900, available: 900, to: 100 }],
  [['post:101'], ['amount_exceeds_pending'], { status: 'pending', posted: 0, entries: 0, from: 1_000, available: 900, to: 0 }],
  [['void'], ['ok'], { status: 'voided', posted: 0, entries: 0, from: 1_000, available: 1_000, to: 0 }],
  [['post', 'post'], ['ok', 'transfer_not_pending'], { status: 'posted', posted: 100, entries: 2, from: 900, available: 900, to: 100 }],
  [['post:40', 'post:60'], ['ok', 'transfer_not_pending'], { status: 'posted', posted: 40, entries: 2, from: 960, available: 960, to: 40 }],
  [['post', 'void'], ['ok', 'transfer_not_pending'], { status: 'posted', posted: 100, entries: 2, from: 900, available: 900, to: 100 }],
  [['void', 'post'], ['ok', 'transfer_not_pending'], { status: 'voided', posted: 0, entries: 0, from: 1_000, available: 1_000, to: 0 }],
  [['void', 'void'], ['ok', 'transfer_not_pending'], { status: 'voided', posted: 0, entries: 0, from: 1_000, available: 1_000, to: 0 }],
  // Expiry by the clock alone: it reserves nothing and reads as expired before any job marks it.
  [['lapse'], ['ok'], { status: 'expired', posted: 0, entries: 0, from: 1_000, available: 1_000, to: 0 }],
  [['lapse', 'post'], ['ok', 'transfer_expired'], { status: 'expired', posted: 0, entries: 0, from: 1_000, available: 1_000, to: 0 }],
  [['lapse', 'void'], ['ok', 'transfer_expired'], { status: 'expired', posted: 0, entries: 0, from: 1_000, available: 1_000, to: 0 }],
  [
    ['lapse', 'expire', 'post'],
    ['ok', 'ok', 'transfer_expired'],
    { status: 'expired', posted: 0, entries: 0, from: 1_000, available: 1_000, to: 0 },
  ],
  [
    ['lapse', 'expire', 'void'],
    ['ok', 'ok', 'transfer_expired'],
    { status: 'expired', posted: 0, entries: 0, from: 1_000, available: 1_000, to: 0 },
  ],
  // The job touches only live holds whose time has come.
  [['expire'], ['ok'], { status: 'pending', posted: 0, entries: 0, from: 1_000, available: 900, to: 0 }],
  [['post', 'lapse', 'expire'], ['ok', 'ok', 'ok'], { status: 'posted', posted: 100, entries: 2, from: 900, available: 900, to: 100 }],
  [['void', 'lapse', 'expire'], ['ok', 'ok', 'ok'], { status: 'voided', posted: 0, entries: 0, from: 1_000, available: 1_000, to: 0 }],
  // Reversals: only of what moved.
  [['reverse'], ['reversal_exceeds_amount'], { status: 'pending', posted: 0, entries: 0, from: 1_000, available: 900, to: 0 }],
  [
    ['void', 'reverse'],
    ['ok', 'reversal_exceeds_amount'],
    { status: 'voided', posted: 0, entries: 0, from: 1_000, available: 1_000, to: 0 },
  ],
  [
    ['lapse', 'reverse'],
    ['ok', 'reversal_exceeds_amount'],
    { status: 'expired', posted: 0, entries: 0, from: 1_000, available: 1_000, to: 0 },
  ],
  [
    ['post:40', 'reverse:41'],
    ['ok', 'reversal_exceeds_amount'],
    { status: 'posted', posted: 40, entries: 2, from: 960, available: 960, to: 40 },
  ],
  [['post:40', 'reverse'], ['ok', 'ok'], { status: 'posted', posted: 40, entries: 2, from: 1_000, available: 1_000, to: 0 }],
  [
    ['post:40', 'reverse:30', 'reverse:10', 'reverse:1'],
    ['ok', 'ok', 'ok', 'reversal_exceeds_amount'],
    { status: 'posted', posted: 40, entries: 2, from: 1_000, available: 1_000, to: 0 },
  ],
  // Account states: a frozen side refuses a posting (the hold stays pending); a void still releases.
  [['freeze-from', 'post'], ['ok', 'account_frozen'], { status: 'pending', posted: 0, entries: 0, from: 1_000, available: 900, to: 0 }],
  [['freeze-to', 'post'], ['ok', 'account_frozen'], { status: 'pending', posted: 0, entries: 0, from: 1_000, available: 900, to: 0 }],
  [['freeze-from', 'void'], ['ok', 'ok'], { status: 'voided', posted: 0, entries: 0, from: 1_000, available: 1_000, to: 0 }],
];

describe('the two-phase conformance table: a hold of 100 from 1,000', () => {
  it.each(TABLE)('%j answers %j', async (steps, answers, end) => {
    const p = await parties();
    const id = await hold(db.pool, { fromAccountId: p.from, toAccountId: p.to, amount: asCents(100), currency: 'USD' });
    expect(await state(p.from)).toMatchObject({ balance: 1_000, available: 900 });
    expect(await state(p.to)).toMatchObject({ balance: 0, pendingCredits: 100 });
    const seen: string[] = [];
    for (const step of steps) {
      const [verb, n] = step.split(':') as [string, string | undefined];
      const amount = n === undefined ? {} : { amount: asCents(Number(n)) };
      let code = 'ok';
      if (verb === 'lapse') await lapse(id);
      else if (verb === 'expire') await expireJob();
      else if (verb === 'freeze-from' || verb === 'freeze-to') {
        const answer = await act(db.pool, { kind: 'freeze', accountId: verb === 'freeze-from' ? p.from : p.to });
        if (!answer.ok) code = answer.error.code;
      } else {
        const movement = { kind: verb as 'post' | 'void' | 'reverse', transferId: id, ...(verb === 'void' ? {} : amount) } as Movement;
        const answer = await act(db.pool, movement);
        if (!answer.ok) code = answer.error.code;
        else if (verb !== 'reverse')
          expect(answer.result).toMatchObject({ transfer: { id, status: verb === 'post' ? 'posted' : 'voided' } });
      }
      seen.push(code);
    }
    expect(seen).toEqual(answers);
    expect(await transferRow(id)).toEqual({ status: end.status, posted_amount: end.posted, entries: end.entries });
    expect(await state(p.from)).toMatchObject({ balance: end.from, available: end.available });
    expect(await state(p.to)).toMatchObject({ balance: end.to });
  });
});

describe('holds against the available balance', () => {
  it('six holds of 1,000 against 5,000: the sixth is refused (the bug of Blnk #181)', async () => {
    const p = await parties();
    await act(db.pool, { kind: 'deposit', accountId: p.from, amount: asCents(4_000) });
    const answers = [];
    for (let i = 0; i < 6; i++) {
      answers.push(
        await act(db.pool, {
          kind: 'transfer',
          fromAccountId: p.from,
          toAccountId: p.to,
          amount: asCents(1_000),
          currency: 'USD',
          hold: { timeoutSeconds: 60 },
        }),
      );
    }
    expect(answers.map((a) => (a.ok ? 'ok' : a.error.code))).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'insufficient_funds']);
    // A refused hold is not a transfer: nothing to post (the bug of Blnk #182).
    expect(await state(p.from)).toMatchObject({ balance: 5_000, available: 0 });
    const immediate = await act(db.pool, {
      kind: 'transfer',
      fromAccountId: p.from,
      toAccountId: p.to,
      amount: asCents(1),
      currency: 'USD',
    });
    expect(immediate).toMatchObject({ ok: false, error: { code: 'insufficient_funds' } });
    const withdrawal = await act(db.pool, { kind: 'withdrawal', accountId: p.from, amount: asCents(1) });
    expect(withdrawal).toMatchObject({ ok: false, error: { code: 'insufficient_funds' } });
  });

  it('a posting draws on its own reservation: the last cent of the available balance can still be captured', async () => {
    const p = await parties();
    const id = await hold(db.pool, { fromAccountId: p.from, toAccountId: p.to, amount: asCents(1_000), currency: 'USD' });
    expect(await state(p.from)).toMatchObject({ available: 0 });
    expect(await act(db.pool, { kind: 'post', transferId: id })).toMatchObject({
      ok: true,
      status: 200,
      result: { from_account: { balance: 0, available_balance: 0, pending_debits: 0 }, from_entry: { amount: -1_000, balance_after: 0 } },
    });
  });

  it('a hold can last 1 second: after it, by the database clock alone, it reserves nothing', async () => {
    const p = await parties();
    const id = await hold(db.pool, {
      fromAccountId: p.from,
      toAccountId: p.to,
      amount: asCents(1_000),
      currency: 'USD',
      timeoutSeconds: 1,
    });
    expect(
      await act(db.pool, { kind: 'transfer', fromAccountId: p.from, toAccountId: p.to, amount: asCents(1), currency: 'USD' }),
    ).toMatchObject({
      ok: false,
      error: { code: 'insufficient_funds' },
    });
    await new Promise((r) => setTimeout(r, 1_100));
    expect(
      await act(db.pool, { kind: 'transfer', fromAccountId: p.from, toAccountId: p.to, amount: asCents(1_000), currency: 'USD' }),
    ).toMatchObject({
      ok: true,
    });
    expect(await act(db.pool, { kind: 'post', transferId: id })).toMatchObject({ ok: false, error: { code: 'transfer_expired' } });
    expect((await expireJob()).map((r) => Number(r.id))).toContain(id);
    expect(await transferRow(id)).toEqual({ status: 'expired', posted_amount: 0, entries: 0 });
  });

  it('an account with a live hold in or out cannot be closed; once it ends and the balance is 0, it can', async () => {
    const p = await parties();
    const id = await hold(db.pool, { fromAccountId: p.from, toAccountId: p.to, amount: asCents(10), currency: 'USD' });
    expect(await act(db.pool, { kind: 'close', accountId: p.to })).toMatchObject({ ok: false, error: { code: 'account_not_empty' } });
    await act(db.pool, { kind: 'void', transferId: id });
    expect(await act(db.pool, { kind: 'close', accountId: p.to, actingOwner: p.payee })).toMatchObject({
      ok: true,
      result: { account: { status: 'closed' } },
    });
    expect(
      await act(db.pool, { kind: 'transfer', fromAccountId: p.from, toAccountId: p.to, amount: asCents(1), currency: 'USD' }),
    ).toMatchObject({
      ok: false,
      error: { code: 'account_closed' },
    });
  });
});

describe('keys on postings, voids and reversals', () => {
  const claim = (user: string, key: string, route: string, body: object) => ({
    username: user,
    key,
    fingerprint: fingerprint('POST', route, body),
  });

  it('a keyed post replays its answer and moves nothing again; the same key with another amount is refused', async () => {
    const p = await parties();
    const id = await hold(db.pool, { fromAccountId: p.from, toAccountId: p.to, amount: asCents(100), currency: 'USD' });
    const body = { id, amount: 60 };
    const k = claim(p.payer, 'post-1', '/transfers/:id/post', body);
    const first = await act(db.pool, { kind: 'post', transferId: id, amount: asCents(60) }, k);
    const again = await act(db.pool, { kind: 'post', transferId: id, amount: asCents(60) }, k);
    expect(first).toMatchObject({ ok: true, replayed: false, status: 200 });
    expect(again).toEqual({ ...first, replayed: true });
    const other = claim(p.payer, 'post-1', '/transfers/:id/post', { id, amount: 61 });
    expect(await act(db.pool, { kind: 'post', transferId: id, amount: asCents(61) }, other)).toMatchObject({
      ok: false,
      error: { code: 'idempotency_key_reused' },
    });
    expect(await transferRow(id)).toEqual({ status: 'posted', posted_amount: 60, entries: 2 });
  });

  it('a refused posting is stored under its key and replayed even after the hold changed', async () => {
    const p = await parties();
    const id = await hold(db.pool, { fromAccountId: p.from, toAccountId: p.to, amount: asCents(100), currency: 'USD' });
    const k = claim(p.payer, 'post-2', '/transfers/:id/post', { id, amount: 500 });
    const refused = await act(db.pool, { kind: 'post', transferId: id, amount: asCents(500) }, k);
    expect(refused).toMatchObject({ ok: false, replayed: false, error: { code: 'amount_exceeds_pending' } });
    await act(db.pool, { kind: 'void', transferId: id });
    expect(await act(db.pool, { kind: 'post', transferId: id, amount: asCents(500) }, k)).toMatchObject({
      ok: false,
      replayed: true,
      error: { code: 'amount_exceeds_pending' },
    });
  });

  it('a keyed reversal replays; a new key reverses again up to posted_amount and no further', async () => {
    const p = await parties();
    const t = await transfer(db.pool, { fromAccountId: p.from, toAccountId: p.to, amount: asCents(100), currency: 'USD' });
    const id = t.transfer.id;
    const r1 = claim(p.payee, 'refund-1', '/transfers/:id/reverse', { id, amount: 70 });
    const first = await act(db.pool, { kind: 'reverse', transferId: id, amount: asCents(70) }, r1);
    expect(await act(db.pool, { kind: 'reverse', transferId: id, amount: asCents(70) }, r1)).toEqual({ ...first, replayed: true });
    const r2 = claim(p.payee, 'refund-2', '/transfers/:id/reverse', { id, amount: 70 });
    expect(await act(db.pool, { kind: 'reverse', transferId: id, amount: asCents(70) }, r2)).toMatchObject({
      ok: false,
      error: { code: 'reversal_exceeds_amount' },
    });
    expect(await state(p.from)).toMatchObject({ balance: 970 });
  });
});

describe('races against real Postgres', () => {
  it('60 holds racing 60 transfers against one balance: Σ held + Σ sent ≤ the balance, available never below 0', async () => {
    const p = await parties();
    await act(db.pool, { kind: 'deposit', accountId: p.from, amount: asCents(4_000) }); // 5,000 in all
    const racers = Array.from({ length: 120 }, (_, i) =>
      act(
        db.pool,
        i % 2 === 0
          ? {
              kind: 'transfer',
              fromAccountId: p.from,
              toAccountId: p.to,
              amount: asCents(150),
              currency: 'USD',
              hold: { timeoutSeconds: 600 },
            }
          : { kind: 'transfer', fromAccountId: p.from, toAccountId: p.to, amount: asCents(100), currency: 'USD' },
        undefined,
        { attempts: 20 },
      ),
    );
    const answers = await Promise.all(racers);
    const held = answers.filter((a, i) => i % 2 === 0 && a.ok).length * 150;
    const sent = answers.filter((a, i) => i % 2 === 1 && a.ok).length * 100;
    for (const a of answers) if (!a.ok) expect(a.error.code).toBe('insufficient_funds');
    expect(held + sent).toBeLessThanOrEqual(5_000);
    expect(held + sent).toBeGreaterThan(4_800); // refusals only when what is left is too little for one more
    const s = await state(p.from);
    expect(s).toEqual({ balance: 5_000 - sent, available: 5_000 - sent - held, pendingCredits: 0, status: 'open' });
    expect(s.available).toBeGreaterThanOrEqual(0);
    // Every answer saw an available balance of at least 0.
    for (const a of answers) if (a.ok) expect(a.result.from_account.available_balance).toBeGreaterThanOrEqual(0);
  });

  it('post, void and expiry racing on one hold, 40 times: exactly one ends it, entries written once', async () => {
    const p = await parties();
    await act(db.pool, { kind: 'deposit', accountId: p.from, amount: asCents(100_000) });
    const ids: TransferId[] = [];
    for (let i = 0; i < 40; i++)
      ids.push(await hold(db.pool, { fromAccountId: p.from, toAccountId: p.to, amount: asCents(10), currency: 'USD' }));
    // Each hold expires at a moment the racers straddle.
    await db.pool.query("UPDATE transfers SET expires_at = clock_timestamp() + interval '150 milliseconds' WHERE id = ANY($1)", [ids]);
    const results = await Promise.all(
      ids.map(async (id, i) => {
        await new Promise((r) => setTimeout(r, 100 + (i % 10) * 10));
        const [post, voided] = await Promise.all([
          act(db.pool, { kind: 'post', transferId: id }, undefined, { attempts: 20 }),
          act(db.pool, { kind: 'void', transferId: id }, undefined, { attempts: 20 }),
          expireJob(),
        ]);
        return { id, post, voided };
      }),
    );
    await new Promise((r) => setTimeout(r, 200));
    await expireJob();
    const ended = { posted: 0, voided: 0, expired: 0 };
    for (const { id, post, voided } of results) {
      const wins = [post.ok, voided.ok].filter(Boolean).length;
      expect(wins).toBeLessThanOrEqual(1);
      const row = await transferRow(id);
      ended[row.status as keyof typeof ended]++;
      if (post.ok) expect(row).toEqual({ status: 'posted', posted_amount: 10, entries: 2 });
      else if (voided.ok) expect(row).toEqual({ status: 'voided', posted_amount: 0, entries: 0 });
      else {
        expect(row).toEqual({ status: 'expired', posted_amount: 0, entries: 0 });
        expect([post.error.code, voided.error.code].every((c) => c === 'transfer_expired' || c === 'transfer_not_pending')).toBe(true);
      }
    }
    expect(ended.posted + ended.voided + ended.expired).toBe(40);
    expect(await state(p.from)).toMatchObject({ balance: 101_000 - ended.posted * 10, available: 101_000 - ended.posted * 10 });
  });

  it('20 reversals of 100 racing on a transfer of 1,000: exactly 10 succeed, never past posted_amount', async () => {
    const p = await parties();
    const t = await transfer(db.pool, { fromAccountId: p.from, toAccountId: p.to, amount: asCents(1_000), currency: 'USD' });
    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        act(db.pool, { kind: 'reverse', transferId: t.transfer.id, amount: asCents(100) }, undefined, { attempts: 20 }),
      ),
    );
    expect(answers.filter((a) => a.ok)).toHaveLength(10);
    for (const a of answers) if (!a.ok) expect(a.error.code).toMatch(/^(reversal_exceeds_amount|insufficient_funds)$/);
    const { rows } = await db.pool.query('SELECT reversed_amount, posted_amount FROM transfers WHERE id = $1', [t.transfer.id]);
    expect(rows[0]).toEqual({ reversed_amount: '1000', posted_amount: '1000' });
    expect(await state(p.from)).toMatchObject({ balance: 1_000 });
  });

  it('a freeze racing 40 transfers: each transfer committed before it or refused after it, none partly', async () => {
    const p = await parties();
    const answers = Array.from({ length: 40 }, (_, i) =>
      new Promise((r) => setTimeout(r, i)).then(() =>
        act(db.pool, { kind: 'transfer', fromAccountId: p.from, toAccountId: p.to, amount: asCents(10), currency: 'USD' }, undefined, {
          attempts: 20,
        }),
      ),
    );
    const freeze = new Promise((r) => setTimeout(r, 15)).then(() =>
      act(db.pool, { kind: 'freeze', accountId: p.from }, undefined, { attempts: 20 }),
    );
    const [frozen, ...moved] = await Promise.all([freeze, ...answers]);
    expect(frozen).toMatchObject({ ok: true, result: { account: { status: 'frozen' } } });
    const ok = moved.filter((a) => a.ok).length;
    for (const a of moved) if (!a.ok) expect(a.error.code).toBe('account_frozen');
    expect(await state(p.from)).toMatchObject({ balance: 1_000 - ok * 10, status: 'frozen' });
    // After the freeze committed, nothing moves.
    expect(
      await act(db.pool, { kind: 'transfer', fromAccountId: p.from, toAccountId: p.to, amount: asCents(1), currency: 'USD' }),
    ).toMatchObject({
      ok: false,
      error: { code: 'account_frozen' },
    });
    // Every transfer that moved committed before the freeze (its entry precedes the freeze's commit).
    const { rows } = await db.pool.query(
      'SELECT count(*)::int AS n FROM entries WHERE account_id = $1 AND amount < 0 AND transfer_id IS NOT NULL',
      [p.from],
    );
    expect(rows[0].n).toBe(ok);
  });
});
