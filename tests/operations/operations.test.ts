// The operation layer without any transport: every API operation called directly, against real
// Postgres. What HTTP (and gRPC) add is only the adapter; the rules, authorization, limits and
// idempotency answered here are theirs.
import {
  ConflictError,
  CurrentPasswordMismatchError,
  DomainError,
  ForbiddenError,
  NotFoundError,
  RateLimitedError,
  SessionInvalidError,
  UnauthenticatedError,
  UnavailableError,
  ValidationError,
} from '../../src/errors.js';
import { asAccountId, asCents, type Cents } from '../../src/ids.js';
import { type Caller, createOperations, type Operations, type Origin } from '../../src/operations.js';
import { grantBanker } from '../../src/users/users.service.js';
import { createTestDeps, uniqueName } from '../setup/app.js';

let t: Awaited<ReturnType<typeof createTestDeps>>;
let ops: Operations;
const origin: Origin = { clientIp: '192.0.2.10', userAgent: 'operations-test' };

beforeAll(async () => {
  t = await createTestDeps({ signupPerIp: 1_000, loginPerUsername: 3 });
  ops = createOperations(t.deps);
});
afterAll(async () => {
  await t.close();
});

async function user(
  opts: { banker?: boolean } = {},
): Promise<{ caller: Caller; username: string; password: string; refreshToken: string }> {
  const username = uniqueName('op');
  const password = 'operations-pw';
  await ops.users.signUp(origin, { username, full_name: 'Op User', email: `${username}@example.com`, password });
  if (opts.banker) await grantBanker(t.db.pool, username);
  const session = await ops.auth.login(origin, { username, password });
  const caller = await ops.auth.authenticate(`Bearer ${session.access_token}`);
  return { caller, username, password, refreshToken: session.refresh_token };
}

async function rejection(p: Promise<unknown>): Promise<DomainError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof DomainError)) throw new Error(`expected a DomainError, got ${String(err)}`);
  return err;
}

it('authenticate: a live session becomes a Caller with the role from the database; anything else is refused', async () => {
  const alice = await user();
  expect(alice.caller).toMatchObject({ username: alice.username, role: 'depositor' });
  await grantBanker(t.db.pool, alice.username);
  t.deps.sessions.forgetUser(alice.username);
  const session = await ops.auth.login(origin, { username: alice.username, password: alice.password });
  expect((await ops.auth.authenticate(`Bearer ${session.access_token}`)).role).toBe('banker');
  expect(await rejection(ops.auth.authenticate(undefined))).toBeInstanceOf(UnauthenticatedError);
  expect(await rejection(ops.auth.authenticate('Basic abc'))).toBeInstanceOf(UnauthenticatedError);
  expect(await rejection(ops.auth.authenticate('Bearer v4.public.forged'))).toBeInstanceOf(UnauthenticatedError);
});

it('users: sign-up conflicts, login limits, renew rotates, revoke ends the session, password change needs the current one', async () => {
  const bob = await user();
  const dup = await rejection(
    ops.users.signUp(origin, { username: bob.username, full_name: 'B', email: 'other@example.com', password: 'password-1' }),
  );
  expect(dup).toBeInstanceOf(ConflictError);
  expect(dup.code).toBe('username_taken');

  // Wrong passwords are the same 401; the per-username limit (3 in this test) then answers 429.
  const wrong = () => ops.auth.login(origin, { username: bob.username, password: 'not-it-at-all' });
  expect((await rejection(wrong())).code).toBe('unauthenticated');
  expect((await rejection(wrong())).code).toBe('unauthenticated');
  const limited = await rejection(wrong());
  expect(limited).toBeInstanceOf(RateLimitedError);
  expect((limited as RateLimitedError).retryAfterS).toBeGreaterThan(0);

  const renewed = await ops.auth.renewAccess(origin, { refresh_token: bob.refreshToken });
  expect(renewed.refresh_token).not.toBe(bob.refreshToken);
  expect(await ops.auth.authenticate(`Bearer ${renewed.access_token}`)).toMatchObject({ username: bob.username });

  // Own password: the current one is required and checked.
  const missing = await rejection(
    ops.users.updateUser(bob.caller, { username: bob.username, changes: { password: 'new-password-1' } }, origin),
  );
  expect(missing).toBeInstanceOf(ValidationError);
  expect(missing.fields).toEqual([{ field: 'current_password', message: 'is required to change your own password' }]);
  expect(
    await rejection(
      ops.users.updateUser(
        bob.caller,
        { username: bob.username, changes: { password: 'new-password-1', current_password: 'nope-nope' } },
        origin,
      ),
    ),
  ).toBeInstanceOf(CurrentPasswordMismatchError);
  const changed = await ops.users.updateUser(bob.caller, { username: bob.username, changes: { full_name: 'Robert' } }, origin);
  expect(changed.full_name).toBe('Robert');

  // Someone else may not change bob; revoking ends the session of the refresh token.
  const carol = await user();
  expect(
    await rejection(ops.users.updateUser(carol.caller, { username: bob.username, changes: { full_name: 'X' } }, origin)),
  ).toBeInstanceOf(ForbiddenError);
  await ops.auth.revokeSession(origin, { refresh_token: renewed.refresh_token });
  const revoked = await rejection(ops.auth.authenticate(`Bearer ${renewed.access_token}`));
  expect(revoked).toBeInstanceOf(UnauthenticatedError);
  expect(revoked.message).toMatch(/revoked/);
  expect(await rejection(ops.auth.renewAccess(origin, { refresh_token: renewed.refresh_token }))).toBeInstanceOf(SessionInvalidError);
});

it('accounts: the owner is the caller; others see 403, unknown ids 404; statements page by cursor', async () => {
  const dan = await user();
  const eve = await user();
  const acct = await ops.accounts.createAccount(dan.caller, { currency: 'EUR' });
  expect(acct).toMatchObject({ owner: dan.username, balance: 0, currency: 'EUR' });
  expect((await rejection(ops.accounts.createAccount(dan.caller, { currency: 'EUR' }))).code).toBe('account_exists');
  expect(await ops.accounts.getAccount(dan.caller, { id: acct.id })).toEqual(acct);
  expect(await rejection(ops.accounts.getAccount(eve.caller, { id: acct.id }))).toBeInstanceOf(ForbiddenError);
  expect(await rejection(ops.accounts.getAccount(dan.caller, { id: asAccountId(2 ** 40) }))).toBeInstanceOf(NotFoundError);
  expect(await ops.accounts.listAccounts(dan.caller, { page_id: 1, page_size: 10 })).toEqual([acct]);
  expect(await ops.accounts.listAccounts(eve.caller, { page_id: 1, page_size: 10 })).toEqual([]);
  expect(await ops.accounts.listAccountEntries(dan.caller, { id: acct.id, limit: 10 })).toEqual({ items: [], next_cursor: null });
  expect(await rejection(ops.accounts.listAccountEntries(eve.caller, { id: acct.id, limit: 10 }))).toBeInstanceOf(ForbiddenError);
  expect((await rejection(ops.accounts.listAccountEntries(dan.caller, { id: acct.id, limit: 10, cursor: 'forged' }))).fields).toEqual([
    { field: 'cursor', message: 'is not a cursor this API returned' },
  ]);
});

it('money: deposits need a banker; a transfer moves, refuses an overdraft without a throw, and a key replays its answer', async () => {
  const banker = await user({ banker: true });
  const payer = await user();
  const payee = await user();
  const from = await ops.accounts.createAccount(payer.caller, { currency: 'USD' });
  const to = await ops.accounts.createAccount(payee.caller, { currency: 'USD' });

  expect(await rejection(ops.transfers.createDeposit(payer.caller, { account_id: from.id, amount: asCents(100) }))).toBeInstanceOf(
    ForbiddenError,
  );
  const dep = await ops.transfers.createDeposit(banker.caller, { account_id: from.id, amount: asCents(1_000) });
  expect(dep).toMatchObject({ ok: true, replayed: false });

  const body = { from_account_id: from.id, to_account_id: to.id, amount: asCents(400), currency: 'USD' as const };
  const first = await ops.transfers.createTransfer(payer.caller, body, { idempotencyKey: 'op-key-1' });
  if (!first.ok) throw first.error;
  expect(first.result.from_account.balance).toBe(600);
  const again = await ops.transfers.createTransfer(payer.caller, body, { idempotencyKey: 'op-key-1' });
  expect(again).toEqual({ ok: true, replayed: true, status: 201, result: first.result });
  const reused = await ops.transfers.createTransfer(payer.caller, { ...body, amount: asCents(5) }, { idempotencyKey: 'op-key-1' });
  expect(reused).toMatchObject({ ok: false, error: { code: 'idempotency_key_reused' } });

  // A refusal is an answer, not a throw: it committed nothing and can be replayed.
  const over = await ops.transfers.createTransfer(payer.caller, { ...body, amount: asCents(10_000) }, { idempotencyKey: 'op-key-2' });
  expect(over).toMatchObject({ ok: false, replayed: false, error: { status: 422, code: 'insufficient_funds' } });
  expect(
    await ops.transfers.createTransfer(payer.caller, { ...body, amount: asCents(10_000) }, { idempotencyKey: 'op-key-2' }),
  ).toMatchObject({ ok: false, replayed: true, error: { code: 'insufficient_funds' } });

  // From someone else's account: refused as forbidden by the ledger function itself.
  expect(await ops.transfers.createTransfer(payee.caller, body)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  // An amount no schema let through is still refused here (callers other than HTTP).
  expect(await rejection(ops.transfers.createTransfer(payer.caller, { ...body, amount: 1.5 as Cents }))).toBeInstanceOf(ValidationError);
  // The one run-time check of an amount before the ledger (the ledger's items are typed Cents).
  expect(await rejection(ops.transfers.createTransfer(payer.caller, { ...body, amount: (2 ** 53) as Cents }))).toBeInstanceOf(
    ValidationError,
  );

  const seen = await ops.transfers.getTransfer(payee.caller, { id: first.result.transfer.id });
  expect(seen).toEqual(first.result.transfer);
  expect(await rejection(ops.transfers.getTransfer(banker.caller, { id: first.result.transfer.id }))).toBeInstanceOf(ForbiddenError);

  const w = await ops.transfers.createWithdrawal(banker.caller, { account_id: to.id, amount: asCents(400) });
  expect(w).toMatchObject({ ok: true, result: { from_account: { id: to.id, balance: 0 } } });
  const statement = await ops.accounts.listAccountEntries(payee.caller, { id: to.id, limit: 1 });
  expect(statement.items.map((e) => e.amount)).toEqual([-400]);
  expect(statement.next_cursor).not.toBeNull();
  const next = await ops.accounts.listAccountEntries(payee.caller, { id: to.id, limit: 1, cursor: statement.next_cursor! });
  expect(next.items.map((e) => e.amount)).toEqual([400]);
});

it('health: ready on a migrated database, UnavailableError when the schema is behind', async () => {
  expect(await ops.health.readiness()).toEqual({ status: 'ready' });
  const { EXPECTED_SCHEMA_VERSION } = await import('../../src/health/health.operations.js');
  await t.db.pool.query('UPDATE schema_migrations SET version = $1 WHERE version = $2', ['19990101000000', EXPECTED_SCHEMA_VERSION]);
  try {
    const err = await rejection(ops.health.readiness());
    expect(err).toBeInstanceOf(UnavailableError);
    expect(err.message).toMatch(/this build needs \d+: run `npm run migrate -- up`/);
  } finally {
    await t.db.pool.query('UPDATE schema_migrations SET version = $1 WHERE version = $2', [EXPECTED_SCHEMA_VERSION, '19990101000000']);
  }
});
