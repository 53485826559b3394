// The gRPC surface against a listening HTTP/2 server and real Postgres: the same operations as the
// HTTP API, through gRPC (binary and JSON codecs), gRPC-Web and the Connect protocol.
import { type Client, Code, ConnectError, createClient, type Transport } from '@connectrpc/connect';
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from '@connectrpc/connect-node';
import { ErrorInfoSchema } from '../../generated/proto/google/rpc/error_details_pb.js';
import { SimpleBank } from '../../generated/proto/simplebank/v1/simplebank_pb.js';
import { createGrpcServer, type GrpcServer } from '../../src/grpc/server.js';
import { createOperations } from '../../src/operations.js';
import { grantBanker } from '../../src/users/users.service.js';
import { createTestApp, type TestApp, uniqueName } from '../setup/app.js';

let t: TestApp;
let grpc: GrpcServer;
let baseUrl: string;
let bank: Client<typeof SimpleBank>;

beforeAll(async () => {
  t = await createTestApp({ loginPerUsername: 5 });
  grpc = createGrpcServer(createOperations(t.deps));
  const port = await grpc.listen(0, '127.0.0.1');
  baseUrl = `http://127.0.0.1:${port}`;
  bank = createClient(SimpleBank, createGrpcTransport({ baseUrl }));
});
afterAll(async () => {
  await grpc.close();
  await t.close();
});

const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

async function user(opts: { banker?: boolean; client?: Client<typeof SimpleBank> } = {}) {
  const c = opts.client ?? bank;
  const username = uniqueName('g');
  const password = 'grpc-password';
  const created = await c.createUser({ username, fullName: 'Grpc User', email: `${username}@example.com`, password });
  expect(created.user?.username).toBe(username);
  if (opts.banker) await grantBanker(t.db.pool, username);
  const session = await c.loginUser({ username, password });
  return { username, password, token: session.accessToken, refreshToken: session.refreshToken, call: bearer(session.accessToken) };
}

async function refusal(
  p: Promise<unknown>,
): Promise<{ code: Code; errorCode: string | null; reason: string | undefined; message: string }> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof ConnectError)) throw new Error(`expected a ConnectError, got ${String(err)}`);
  return {
    code: err.code,
    errorCode: err.metadata.get('x-error-code'),
    reason: err.findDetails(ErrorInfoSchema)[0]?.reason,
    message: err.rawMessage,
  };
}

describe.each([
  ['binary', () => bank],
  ['JSON', () => createClient(SimpleBank, createGrpcTransport({ baseUrl, useBinaryFormat: false }))],
] as const)('every RPC over gRPC (%s codec)', (_codec, clientOf) => {
  it('users, accounts, money, statements', async () => {
    const bank = clientOf();
    const banker = await user({ banker: true, client: bank });
    const alice = await user({ client: bank });
    const bob = await user({ client: bank });

    const a = (await bank.createAccount({ currency: 'USD' }, alice.call)).account!;
    const b = (await bank.createAccount({ currency: 'USD' }, bob.call)).account!;
    expect(a).toMatchObject({ owner: alice.username, balance: 0n, currency: 'USD' });
    expect((await bank.getAccount({ id: a.id }, alice.call)).account?.id).toBe(a.id);
    expect((await bank.listAccounts({}, alice.call)).accounts.map((x) => x.id)).toEqual([a.id]);

    const dep = await bank.createDeposit({ accountId: a.id, amount: 1_000n }, banker.call);
    expect([dep.result?.toEntry?.accountId, dep.result?.toEntry?.amount]).toEqual([a.id, 1_000n]);
    const tr = await bank.createTransfer({ fromAccountId: a.id, toAccountId: b.id, amount: 250n, currency: 'USD' }, alice.call);
    expect(tr.result?.fromAccount?.balance).toBe(750n);
    expect(tr.result?.toEntry?.amount).toBe(250n);
    expect((await bank.getTransfer({ id: tr.result!.transfer!.id }, bob.call)).transfer?.amount).toBe(250n);
    const w = await bank.createWithdrawal({ accountId: b.id, amount: 50n }, banker.call);
    expect([w.result?.fromEntry?.accountId, w.result?.fromEntry?.amount]).toEqual([b.id, -50n]);
    expect((await bank.getAccount({ id: b.id }, bob.call)).account?.balance).toBe(200n);

    const page = await bank.listEntries({ accountId: b.id, limit: 1 }, bob.call);
    expect(page.items.map((e) => e.amount)).toEqual([-50n]);
    expect(page.nextCursor).toBeDefined();
    const next = await bank.listEntries({ accountId: b.id, limit: 1, cursor: page.nextCursor }, bob.call);
    expect(next.items.map((e) => e.amount)).toEqual([250n]);

    const updated = await bank.updateUser({ username: alice.username, fullName: 'Alice G' }, alice.call);
    expect(updated.user?.fullName).toBe('Alice G');
    const renewed = await bank.renewAccessToken({ refreshToken: alice.refreshToken });
    expect(renewed.refreshToken).not.toBe(alice.refreshToken);
    await bank.revokeSession({ refreshToken: renewed.refreshToken });
    expect((await refusal(bank.getAccount({ id: a.id }, bearer(renewed.accessToken)))).code).toBe(Code.Unauthenticated);

    // Money moved over gRPC is in the HTTP statement.
    const http = await t.app.inject({ method: 'GET', url: `/accounts/${b.id}/entries`, headers: { authorization: `Bearer ${bob.token}` } });
    expect(http.json().items.map((e: { amount: number }) => e.amount)).toEqual([-50, 250]);
  });
});

describe.each([
  ['binary', () => bank],
  ['JSON', () => createClient(SimpleBank, createGrpcTransport({ baseUrl, useBinaryFormat: false }))],
] as const)('refusals over gRPC (%s codec)', (_codec, clientOf) => {
  it('carry the status of the contract, the code in x-error-code and in ErrorInfo; the authorization matrix', async () => {
    const bank = clientOf();
    const alice = await user({ client: bank });
    const bob = await user({ client: bank });
    const carol = await user({ client: bank });
    const banker = await user({ client: bank, banker: true });
    const usd = (await bank.createAccount({ currency: 'USD' }, bob.call)).account!;
    await bank.createDeposit({ accountId: usd.id, amount: 100n }, banker.call);
    const bobsTransfer = (
      await bank.createTransfer(
        {
          fromAccountId: usd.id,
          toAccountId: (await bank.createAccount({ currency: 'USD' }, carol.call)).account!.id,
          amount: 10n,
          currency: 'USD',
        },
        bob.call,
      )
    ).result!.transfer!;
    const a = (await bank.createAccount({ currency: 'EUR' }, alice.call)).account!;
    const b = (await bank.createAccount({ currency: 'EUR' }, bob.call)).account!;
    const cases: [string, () => Promise<unknown>, Code, string][] = [
      ['no token', () => bank.getAccount({ id: a.id }), Code.Unauthenticated, 'unauthenticated'],
      ['another owner', () => bank.getAccount({ id: a.id }, bob.call), Code.PermissionDenied, 'forbidden'],
      ['unknown account', () => bank.getAccount({ id: 2n ** 40n }, alice.call), Code.NotFound, 'not_found'],
      ['id 0', () => bank.getAccount({ id: 0n }, alice.call), Code.InvalidArgument, 'validation_failed'],
      ['id past 2^53', () => bank.getAccount({ id: 2n ** 60n }, alice.call), Code.InvalidArgument, 'validation_failed'],
      ['same currency twice', () => bank.createAccount({ currency: 'EUR' }, alice.call), Code.AlreadyExists, 'account_exists'],
      ['unknown currency', () => bank.createAccount({ currency: 'GBP' }, alice.call), Code.InvalidArgument, 'validation_failed'],
      [
        'overdraft',
        () => bank.createTransfer({ fromAccountId: a.id, toAccountId: b.id, amount: 10n, currency: 'EUR' }, alice.call),
        Code.FailedPrecondition,
        'insufficient_funds',
      ],
      [
        'same account',
        () => bank.createTransfer({ fromAccountId: a.id, toAccountId: a.id, amount: 10n, currency: 'EUR' }, alice.call),
        Code.FailedPrecondition,
        'same_account',
      ],
      [
        'deposit by a depositor',
        () => bank.createDeposit({ accountId: a.id, amount: 10n }, alice.call),
        Code.PermissionDenied,
        'forbidden',
      ],
      [
        'wrong password',
        () => bank.loginUser({ username: alice.username, password: 'not-the-password' }),
        Code.Unauthenticated,
        'unauthenticated',
      ],
      [
        'taken username',
        () => bank.createUser({ username: alice.username, fullName: 'X', email: 'x@example.com', password: 'password-1' }),
        Code.AlreadyExists,
        'username_taken',
      ],
      [
        'short password',
        () => bank.createUser({ username: uniqueName('g'), fullName: 'X', email: 'y@example.com', password: 'short' }),
        Code.InvalidArgument,
        'validation_failed',
      ],
      [
        'NUL in a name',
        () => bank.createUser({ username: uniqueName('g'), fullName: 'a\u0000b', email: 'z@example.com', password: 'password-1' }),
        Code.InvalidArgument,
        'validation_failed',
      ],
      [
        'own password without the current one',
        () => bank.updateUser({ username: alice.username, password: 'new-password-1' }, alice.call),
        Code.InvalidArgument,
        'validation_failed',
      ],
      [
        'own password, wrong current one',
        () => bank.updateUser({ username: alice.username, password: 'new-password-1', currentPassword: 'nope-nope' }, alice.call),
        Code.PermissionDenied,
        'current_password_mismatch',
      ],
      ['someone else', () => bank.updateUser({ username: bob.username, fullName: 'X' }, alice.call), Code.PermissionDenied, 'forbidden'],
      ['forged refresh token', () => bank.renewAccessToken({ refreshToken: 'v4.public.forged' }), Code.Unauthenticated, 'session_invalid'],
      [
        'forged cursor',
        () => bank.listEntries({ accountId: a.id, cursor: 'forged' }, alice.call),
        Code.InvalidArgument,
        'validation_failed',
      ],
      [
        'currency of neither account',
        () => bank.createTransfer({ fromAccountId: usd.id, toAccountId: b.id, amount: 1n, currency: 'USD' }, bob.call),
        Code.FailedPrecondition,
        'currency_mismatch',
      ],
      ["someone else's statement", () => bank.listEntries({ accountId: usd.id }, alice.call), Code.PermissionDenied, 'forbidden'],
      ['a transfer of others', () => bank.getTransfer({ id: bobsTransfer.id }, alice.call), Code.PermissionDenied, 'forbidden'],
      [
        "from someone else's account",
        () => bank.createTransfer({ fromAccountId: usd.id, toAccountId: a.id, amount: 1n, currency: 'USD' }, alice.call),
        Code.PermissionDenied,
        'forbidden',
      ],
      [
        'withdrawal by a depositor',
        () => bank.createWithdrawal({ accountId: usd.id, amount: 1n }, bob.call),
        Code.PermissionDenied,
        'forbidden',
      ],
      ['amount 0', () => bank.createDeposit({ accountId: usd.id, amount: 0n }, banker.call), Code.InvalidArgument, 'validation_failed'],
      [
        'amount past 2^53',
        () => bank.createDeposit({ accountId: usd.id, amount: 2n ** 60n }, banker.call),
        Code.InvalidArgument,
        'validation_failed',
      ],
      ['a forged access token', () => bank.listAccounts({}, bearer('v4.public.forged')), Code.Unauthenticated, 'unauthenticated'],
      [
        'taken email',
        () => bank.createUser({ username: uniqueName('g'), fullName: 'X', email: `${alice.username}@example.com`, password: 'password-1' }),
        Code.AlreadyExists,
        'email_taken',
      ],
    ];
    for (const [name, call, code, errorCode] of cases) {
      const r = await refusal(call());
      expect({ name, code: r.code, errorCode: r.errorCode, reason: r.reason }).toEqual({ name, code, errorCode, reason: errorCode });
      expect(r.message).not.toMatch(/\.(ts|js):\d|SELECT|relation|Error:/); // no internals
    }
    // The login limit of this server (5 per username) answers RESOURCE_EXHAUSTED with rate_limited.
    let last: Awaited<ReturnType<typeof refusal>> | undefined;
    for (let i = 0; i < 6; i++) last = await refusal(bank.loginUser({ username: carol.username, password: 'wrong-wrong' }));
    expect([last?.code, last?.errorCode]).toEqual([Code.ResourceExhausted, 'rate_limited']);
  });
});

it('balance_limit_exceeded over gRPC', async () => {
  const banker = await user({ banker: true });
  const bob = await user();
  const b = (await bank.createAccount({ currency: 'CAD' }, bob.call)).account!;
  const MAX = BigInt(Number.MAX_SAFE_INTEGER);
  await bank.createDeposit({ accountId: b.id, amount: MAX }, banker.call);
  try {
    const over = await refusal(bank.createDeposit({ accountId: b.id, amount: 1n }, banker.call));
    expect([over.code, over.errorCode]).toEqual([Code.FailedPrecondition, 'balance_limit_exceeded']);
  } finally {
    await bank.createWithdrawal({ accountId: b.id, amount: MAX }, banker.call); // the funding account back to where it was
  }
});

it('idempotent replays work across transports: a key first used over HTTP replays over gRPC', async () => {
  const banker = await user({ banker: true });
  const alice = await user();
  const bob = await user();
  const a = (await bank.createAccount({ currency: 'CAD' }, alice.call)).account!;
  const b = (await bank.createAccount({ currency: 'CAD' }, bob.call)).account!;
  await bank.createDeposit({ accountId: a.id, amount: 500n }, banker.call);

  const key = `cross-${uniqueName('k')}`;
  const http = await t.app.inject({
    method: 'POST',
    url: '/transfers',
    headers: { authorization: `Bearer ${alice.token}`, 'idempotency-key': key },
    payload: { from_account_id: Number(a.id), to_account_id: Number(b.id), amount: 120, currency: 'CAD' },
  });
  expect(http.statusCode).toBe(201);
  let replayedHeader: string | null = null;
  const again = await bank.createTransfer(
    { fromAccountId: a.id, toAccountId: b.id, amount: 120n, currency: 'CAD' },
    {
      headers: { authorization: `Bearer ${alice.token}`, 'idempotency-key': key },
      onHeader: (h) => (replayedHeader = h.get('idempotent-replayed')),
    },
  );
  expect(replayedHeader).toBe('true');
  expect(Number(again.result!.transfer!.id)).toBe(http.json().transfer.id);
  expect(Number(again.result!.fromAccount!.balance)).toBe(380);
  // Another body under the same key is refused; the money moved once.
  const reused = await refusal(
    bank.createTransfer(
      { fromAccountId: a.id, toAccountId: b.id, amount: 5n, currency: 'CAD' },
      { headers: { authorization: `Bearer ${alice.token}`, 'idempotency-key': key } },
    ),
  );
  expect([reused.code, reused.errorCode]).toEqual([Code.FailedPrecondition, 'idempotency_key_reused']);
  expect((await bank.getAccount({ id: a.id }, alice.call)).account?.balance).toBe(380n);
});

describe('the other protocols of the same server', () => {
  const transports: [string, () => Transport][] = [
    ['gRPC with the JSON codec', () => createGrpcTransport({ baseUrl, useBinaryFormat: false })],
    ['gRPC-Web', () => createGrpcWebTransport({ baseUrl, httpVersion: '2' })],
    ['the Connect protocol (JSON)', () => createConnectTransport({ baseUrl, httpVersion: '2' })],
  ];
  it.each(transports)('%s: a sign-up, a login, an account and a refusal with its code', async (_name, transport) => {
    const client = createClient(SimpleBank, transport());
    const u = await user({ client });
    const acct = await client.createAccount({ currency: 'USD' }, u.call);
    expect(acct.account?.owner).toBe(u.username);
    const r = await refusal(client.createAccount({ currency: 'USD' }, u.call));
    expect([r.code, r.errorCode, r.reason]).toEqual([Code.AlreadyExists, 'account_exists', 'account_exists']);
  });

  it("the JSON codec speaks the HTTP API's snake_case names (a Connect unary call over plain HTTP/2)", async () => {
    const u = await user();
    const http2 = await import('node:http2');
    const post = (path: string, body: unknown) =>
      new Promise<{ status: number; json: Record<string, unknown> }>((resolve, reject) => {
        const session = http2.connect(baseUrl);
        session.on('error', reject);
        const req = session.request({
          ':method': 'POST',
          ':path': path,
          'content-type': 'application/json',
          authorization: `Bearer ${u.token}`,
        });
        let status = 0;
        let text = '';
        req.on('response', (h) => (status = Number(h[':status'])));
        req.setEncoding('utf8');
        req.on('data', (d: string) => (text += d));
        req.on('end', () => {
          session.close();
          resolve({ status, json: JSON.parse(text) as Record<string, unknown> });
        });
        req.end(JSON.stringify(body));
      });
    const created = await post('/simplebank.v1.SimpleBank/CreateAccount', { currency: 'EUR' });
    expect(created.status).toBe(200);
    // snake_case keys; balance 0 (and no hold) is proto3's default and is omitted.
    expect(Object.keys(created.json.account as object).sort()).toEqual(['created_at', 'currency', 'id', 'owner', 'status']);
    const listed = await post('/simplebank.v1.SimpleBank/ListAccounts', { page_size: 5 });
    expect((listed.json.accounts as { owner: string }[]).map((a) => a.owner)).toEqual([u.username]);
    const refused = await post('/simplebank.v1.SimpleBank/CreateAccount', { currency: 'EUR' });
    expect([refused.status, refused.json.code]).toEqual([409, 'already_exists']);
    // What docs/API.md ("What a JSON client sees") promises: int64s as strings, a movement's answer
    // under `result`, a field at its default absent, camelCase accepted on input.
    const accountId = Number((created.json.account as { id: string }).id);
    const moved = await post('/simplebank.v1.SimpleBank/CreateTransfer', {
      fromAccountId: accountId,
      toAccountId: accountId + 1_000_000,
      amount: 1,
      currency: 'EUR',
    });
    expect([moved.status, moved.json.code]).toEqual([404, 'not_found']); // read as from/to: camelCase understood
    const balance = await post('/simplebank.v1.SimpleBank/GetBalance', { account_id: accountId });
    expect(balance.json).toEqual({ account_id: String(accountId), currency: 'EUR', at: expect.any(String) });
  });
});

describe('health and reflection', () => {
  it('grpc.health.v1: SERVING while the database answers at this schema, NOT_SERVING while it does not; Watch sees the flip', async () => {
    const { Health, HealthCheckResponse_ServingStatus: Status } = await import('../../generated/proto/grpc/health/v1/health_pb.js');
    const { EXPECTED_SCHEMA_VERSION } = await import('../../src/health/health.operations.js');
    const health = createClient(Health, createGrpcTransport({ baseUrl }));
    expect((await health.check({})).status).toBe(Status.SERVING);
    expect((await health.check({ service: 'simplebank.v1.SimpleBank' })).status).toBe(Status.SERVING);
    expect((await refusal(health.check({ service: 'no.such.Service' }))).code).toBe(Code.NotFound);

    const abort = new AbortController();
    const seen: number[] = [];
    const watching = (async () => {
      try {
        for await (const r of health.watch({}, { signal: abort.signal })) seen.push(r.status);
      } catch {
        /* aborted */
      }
    })();
    const until = async (what: () => boolean) => {
      for (const end = Date.now() + 15_000; !what(); ) {
        if (Date.now() > end) throw new Error(`Watch saw only ${JSON.stringify(seen)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    await until(() => seen.length === 1); // the first answer: the state now
    await t.db.pool.query('UPDATE schema_migrations SET version = $1 WHERE version = $2', ['19990101000000', EXPECTED_SCHEMA_VERSION]);
    try {
      expect((await health.check({})).status).toBe(Status.NOT_SERVING);
      await until(() => seen.length === 2);
    } finally {
      await t.db.pool.query('UPDATE schema_migrations SET version = $1 WHERE version = $2', [EXPECTED_SCHEMA_VERSION, '19990101000000']);
    }
    await until(() => seen.length === 3);
    abort.abort();
    await watching;
    expect(seen).toEqual([Status.SERVING, Status.NOT_SERVING, Status.SERVING]);
  });

  it("a server whose database is unreachable answers NOT_SERVING, and the bank's RPCs UNAVAILABLE within 10 s", async () => {
    const pg = (await import('pg')).default;
    const { Health, HealthCheckResponse_ServingStatus: Status } = await import('../../generated/proto/grpc/health/v1/health_pb.js');
    const { freePort } = await import('../process/helpers.js');
    const deadPool = new pg.Pool({
      connectionString: `postgres://nobody@127.0.0.1:${await freePort()}/none`,
      connectionTimeoutMillis: 2_000,
    });
    const down = createGrpcServer(createOperations({ ...t.deps, pool: deadPool }));
    const port = await down.listen(0, '127.0.0.1');
    try {
      const transport = createGrpcTransport({ baseUrl: `http://127.0.0.1:${port}` });
      expect((await createClient(Health, transport).check({})).status).toBe(Status.NOT_SERVING);
      const started = Date.now();
      const r = await refusal(
        createClient(SimpleBank, transport).createUser({
          username: uniqueName('g'),
          fullName: 'X',
          email: 'down@example.com',
          password: 'password-1',
        }),
      );
      expect([r.code, r.errorCode]).toEqual([Code.Unavailable, 'unavailable']);
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      await down.close();
      await deadPool.end();
    }
  });

  it.each(['v1', 'v1alpha'] as const)('reflection %s lists the services and serves the descriptors with their imports', async (version) => {
    const api =
      version === 'v1'
        ? await import('../../generated/proto/grpc/reflection/v1/reflection_pb.js')
        : await import('../../generated/proto/grpc/reflection/v1alpha/reflection_pb.js');
    const { fromBinary } = await import('@bufbuild/protobuf');
    const { FileDescriptorProtoSchema } = await import('@bufbuild/protobuf/wkt');
    const reflection = createClient(
      api.ServerReflection as typeof import('../../generated/proto/grpc/reflection/v1/reflection_pb.js').ServerReflection,
      createGrpcTransport({ baseUrl }),
    );
    async function* requests() {
      yield { messageRequest: { case: 'listServices' as const, value: '' } };
      yield { messageRequest: { case: 'fileContainingSymbol' as const, value: 'simplebank.v1.SimpleBank' } };
      yield { messageRequest: { case: 'fileContainingSymbol' as const, value: 'simplebank.v1.SimpleBank.CreateTransfer' } };
      yield { messageRequest: { case: 'fileByFilename' as const, value: 'no/such.proto' } };
    }
    const answers = [];
    for await (const a of reflection.serverReflectionInfo(requests())) answers.push(a.messageResponse);
    expect(answers[0]?.case).toBe('listServicesResponse');
    const listed = answers[0]?.case === 'listServicesResponse' ? answers[0].value.service.map((s) => s.name) : [];
    expect(listed).toEqual(
      expect.arrayContaining(['simplebank.v1.SimpleBank', 'grpc.health.v1.Health', `grpc.reflection.${version}.ServerReflection`]),
    );
    for (const a of [answers[1], answers[2]]) {
      expect(a?.case).toBe('fileDescriptorResponse');
      const names =
        a?.case === 'fileDescriptorResponse' ? a.value.fileDescriptorProto.map((b) => fromBinary(FileDescriptorProtoSchema, b).name) : [];
      expect(names).toEqual(['simplebank/v1/simplebank.proto', 'google/protobuf/empty.proto', 'google/protobuf/timestamp.proto']);
    }
    expect(answers[3]).toMatchObject({ case: 'errorResponse', value: { errorCode: 5 } });
  });
});

it('every error code of the contract maps to its gRPC status, with the code in x-error-code and ErrorInfo', async () => {
  const { ERROR_CODES, LedgerRefusal } = await import('../../src/errors.js');
  const { toConnectError } = await import('../../src/grpc/errors.js');
  const contract: Record<string, Code> = {
    validation_failed: Code.InvalidArgument,
    unauthenticated: Code.Unauthenticated,
    session_invalid: Code.Unauthenticated,
    forbidden: Code.PermissionDenied,
    current_password_mismatch: Code.PermissionDenied,
    not_found: Code.NotFound,
    username_taken: Code.AlreadyExists,
    email_taken: Code.AlreadyExists,
    account_exists: Code.AlreadyExists,
    idempotency_key_in_use: Code.Aborted,
    idempotency_key_reused: Code.FailedPrecondition,
    currency_mismatch: Code.FailedPrecondition,
    same_account: Code.FailedPrecondition,
    insufficient_funds: Code.FailedPrecondition,
    balance_limit_exceeded: Code.FailedPrecondition,
    transfer_not_pending: Code.FailedPrecondition,
    transfer_expired: Code.FailedPrecondition,
    amount_exceeds_pending: Code.FailedPrecondition,
    reversal_exceeds_amount: Code.FailedPrecondition,
    account_frozen: Code.FailedPrecondition,
    account_closed: Code.FailedPrecondition,
    account_not_empty: Code.FailedPrecondition,
    rate_limited: Code.ResourceExhausted,
    unavailable: Code.Unavailable,
    payload_too_large: Code.ResourceExhausted, // the gRPC convention for a message over the limit
  };
  for (const code of ERROR_CODES) {
    const { error } = toConnectError(new LedgerRefusal(400, code, `refused: ${code}`));
    expect({ code, status: error.code }).toEqual({ code, status: contract[code] ?? Code.Internal });
    expect(error.metadata.get('x-error-code')).toBe(code);
    expect(error.findDetails(ErrorInfoSchema)[0]).toMatchObject({ reason: code, domain: 'simplebank.v1' });
  }
  // Anything that is not a domain error is INTERNAL, saying nothing of what went wrong.
  const { error, unexpected } = toConnectError(new Error('relation "users" does not exist at /src/x.ts:1'));
  expect([error.code, error.metadata.get('x-error-code'), unexpected]).toEqual([Code.Internal, 'internal', true]);
  expect(error.rawMessage).toBe('an internal error occurred; it has been logged');
});
