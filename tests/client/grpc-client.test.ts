// @simple-bank/client/grpc against a listening gRPC server and real Postgres: tokens renewed, the
// contract's codes on refusals, money moves retried only under their one idempotency key.
import { Code, ConnectError, type Interceptor } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { BankGrpcClient, BankGrpcError } from '../../packages/client/src/grpc.js';
import { createGrpcServer, type GrpcServer } from '../../src/grpc/server.js';
import { createOperations } from '../../src/operations.js';
import { grantBanker } from '../../src/users/users.service.js';
import { createTestApp, type TestApp, uniqueName } from '../setup/app.js';

let t: TestApp;
let grpc: GrpcServer;
let baseUrl: string;
beforeAll(async () => {
  t = await createTestApp({ accessTokenMs: 20_000 }); // under the client's 30 s margin: every call renews first
  grpc = createGrpcServer(createOperations(t.deps));
  baseUrl = `http://127.0.0.1:${await grpc.listen(0, '127.0.0.1')}`;
});
afterAll(async () => {
  await grpc.close();
  await t.close();
});

async function client(interceptors: Interceptor[] = [], opts: { banker?: boolean } = {}) {
  const c = new BankGrpcClient({ transport: createGrpcTransport({ baseUrl, interceptors }), backoffMs: 1 });
  const username = uniqueName('gc');
  await c.signUp({ username, fullName: 'Client', email: `${username}@example.com`, password: 'client-password' });
  if (opts.banker) await grantBanker(t.db.pool, username);
  await c.login(username, 'client-password');
  return { c, username };
}

it('logs in, renews the access token (rotating the refresh token) and moves money', async () => {
  const calls: string[] = [];
  const spy: Interceptor = (next) => async (req) => {
    calls.push(req.method.name);
    return next(req);
  };
  const banker = await client([], { banker: true });
  const alice = await client([spy]);
  const bob = await client();
  const a = await alice.c.createAccount('USD');
  const b = await bob.c.createAccount('USD');
  await banker.c.deposit({ accountId: a.id, amount: 700n });
  const r = await alice.c.transfer({ fromAccountId: a.id, toAccountId: b.id, amount: 200n, currency: 'USD' });
  expect(r.fromAccount?.balance).toBe(500n);
  expect((await alice.c.getAccount(a.id)).balance).toBe(500n);
  expect((await bob.c.statement(b.id)).items.map((e) => e.amount)).toEqual([200n]);
  // Each authenticated call renewed first (tokens of 20 s are inside the 30 s margin), and renewal kept working:
  // the refresh token rotated every time and the rotated one was kept.
  expect(calls.filter((m) => m === 'RenewAccessToken').length).toBeGreaterThanOrEqual(3);
  await alice.c.logout();
  const err = await alice.c.listAccounts().catch((e: unknown) => e);
  expect(err).toBeInstanceOf(BankGrpcError);
});

it("refusals are BankGrpcError with the contract's code", async () => {
  const alice = await client();
  const a = await alice.c.createAccount('EUR');
  const err = await alice.c.transfer({ fromAccountId: a.id, toAccountId: a.id, amount: 1n, currency: 'EUR' }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(BankGrpcError);
  expect(err).toMatchObject({ grpcCode: Code.FailedPrecondition, code: 'same_account' });
  const nowhere = new BankGrpcClient({ transport: createGrpcTransport({ baseUrl: 'http://127.0.0.1:1' }), attempts: 2, backoffMs: 1 });
  const down = await nowhere
    .signUp({ username: 'nobody', fullName: 'N', email: 'n@example.com', password: 'password-1' })
    .catch((e: unknown) => e);
  expect(down).toBeInstanceOf(BankGrpcError);
  expect(down).toMatchObject({ grpcCode: Code.Unavailable, code: 'unavailable' });
});

it('a money move whose answer was lost is retried with the same key: the money moves once', async () => {
  const banker = await client([], { banker: true });
  let lost = 0;
  const keys: string[] = [];
  // The first CreateTransfer reaches the server and commits, but its answer "is lost" on the way back.
  const loseFirstAnswer: Interceptor = (next) => async (req) => {
    if (req.method.name !== 'CreateTransfer') return next(req);
    keys.push(req.header.get('idempotency-key') ?? '');
    const res = await next(req);
    if (lost++ === 0) throw new ConnectError('connection reset', Code.Unavailable);
    return res;
  };
  const alice = await client([loseFirstAnswer]);
  const bob = await client();
  const a = await alice.c.createAccount('CAD');
  const b = await bob.c.createAccount('CAD');
  await banker.c.deposit({ accountId: a.id, amount: 1_000n });
  const r = await alice.c.transfer({ fromAccountId: a.id, toAccountId: b.id, amount: 300n, currency: 'CAD' });
  expect(r.fromAccount?.balance).toBe(700n);
  expect(keys).toHaveLength(2);
  expect(keys[0]).toBe(keys[1]); // the same key both times
  const { rows } = await t.db.pool.query<{ n: string }>('SELECT count(*) AS n FROM transfers WHERE from_account_id = $1', [Number(a.id)]);
  expect(Number(rows[0]!.n)).toBe(1);
});

it('v1.3 over gRPC with the typed client: a hold, a partial capture, a refund, the balance as of a time, freeze and close', async () => {
  const bank = await client([], { banker: true });
  const shop = await client();
  const buyer = await client();
  const b = await buyer.c.createAccount('EUR');
  const s = await shop.c.createAccount('EUR');
  await bank.c.deposit({ accountId: b.id, amount: 5_000n, metadata: { source: 'test' } });
  const before = new Date();
  const held = await buyer.c.transfer({
    fromAccountId: b.id,
    toAccountId: s.id,
    amount: 2_500n,
    currency: 'EUR',
    pending: true,
    timeoutSeconds: 600,
    reference: 'order-9',
    metadata: { order: '9' },
  });
  expect(held.transfer).toMatchObject({ status: 'pending', postedAmount: 0n, reference: 'order-9', metadata: { order: '9' } });
  expect(held.transfer?.expiresAt).toBeDefined();
  expect(held.fromAccount).toMatchObject({ balance: 5_000n, availableBalance: 2_500n, pendingDebits: 2_500n });
  expect(held.fromEntry).toBeUndefined();
  const key = { idempotencyKey: uniqueName('capture') };
  const captured = await buyer.c.postTransfer(held.transfer!.id, 2_000n, key);
  expect(captured.transfer).toMatchObject({ status: 'posted', postedAmount: 2_000n });
  expect(captured.fromEntry).toMatchObject({ amount: -2_000n, balanceAfter: 3_000n });
  expect(await buyer.c.postTransfer(held.transfer!.id, 2_000n, key)).toEqual(captured); // replayed, not moved again
  await expect(buyer.c.postTransfer(held.transfer!.id)).rejects.toMatchObject({
    grpcCode: Code.FailedPrecondition,
    code: 'transfer_not_pending',
  });
  const refund = await shop.c.reverseTransfer(held.transfer!.id, { amount: 500n });
  expect(refund.transfer).toMatchObject({ reversesTransferId: held.transfer!.id, amount: 500n });
  await expect(shop.c.reverseTransfer(held.transfer!.id, { amount: 1_501n })).rejects.toMatchObject({ code: 'reversal_exceeds_amount' });
  expect((await buyer.c.balanceAt(b.id, before)).balance).toBe(5_000n);
  expect((await buyer.c.balanceAt(b.id)).balance).toBe(3_500n);
  const voidable = await buyer.c.transfer({ fromAccountId: b.id, toAccountId: s.id, amount: 1n, currency: 'EUR', pending: true });
  expect((await shop.c.voidTransfer(voidable.transfer!.id)).transfer?.status).toBe('voided');
  await expect(shop.c.setAccountState(s.id, 'freeze')).rejects.toMatchObject({ grpcCode: Code.PermissionDenied, code: 'forbidden' });
  expect((await bank.c.setAccountState(s.id, 'freeze')).status).toBe('frozen');
  await expect(buyer.c.transfer({ fromAccountId: b.id, toAccountId: s.id, amount: 1n, currency: 'EUR' })).rejects.toMatchObject({
    grpcCode: Code.FailedPrecondition,
    code: 'account_frozen',
  });
  await bank.c.setAccountState(s.id, 'unfreeze');
  await expect(shop.c.setAccountState(s.id, 'close')).rejects.toMatchObject({ code: 'account_not_empty' });
  await shop.c.transfer({ fromAccountId: s.id, toAccountId: b.id, amount: 1_500n, currency: 'EUR' });
  expect((await shop.c.setAccountState(s.id, 'close')).status).toBe('closed');
  await expect(
    buyer.c.transfer({ fromAccountId: b.id, toAccountId: s.id, amount: 1n, currency: 'EUR', timeoutSeconds: 5 }),
  ).rejects.toMatchObject({
    grpcCode: Code.InvalidArgument,
    code: 'validation_failed',
  });
});
