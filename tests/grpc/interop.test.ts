// Interop with the reference gRPC implementation (@grpc/grpc-js, what gRPC clients in other
// languages match on the wire): unary calls, metadata in and out, the x-error-code trailer, a
// deadline, and the message size limit.
import { type DescMessage, fromBinary, type MessageShape, toBinary } from '@bufbuild/protobuf';
import * as grpc from '@grpc/grpc-js';
import {
  CreateAccountRequestSchema,
  CreateAccountResponseSchema,
  CreateUserRequestSchema,
  CreateUserResponseSchema,
  LoginUserRequestSchema,
  LoginUserResponseSchema,
} from '../../generated/proto/simplebank/v1/simplebank_pb.js';
import { createGrpcServer, type GrpcServer } from '../../src/grpc/server.js';
import { createOperations } from '../../src/operations.js';
import { createTestApp, type TestApp, uniqueName } from '../setup/app.js';

let t: TestApp;
let server: GrpcServer;
let client: grpc.Client;
beforeAll(async () => {
  t = await createTestApp();
  server = createGrpcServer(createOperations(t.deps), { readMaxBytes: 16 * 1024 });
  const port = await server.listen(0, '127.0.0.1');
  client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
});
afterAll(async () => {
  client.close();
  await server.close();
  await t.close();
});

interface Outcome<O> {
  value?: O;
  error?: grpc.ServiceError;
  headers?: grpc.Metadata;
}

function unary<I extends DescMessage, O extends DescMessage>(
  method: string,
  input: I,
  output: O,
  msg: MessageShape<I>,
  md = new grpc.Metadata(),
  opts: grpc.CallOptions = {},
): Promise<Outcome<MessageShape<O>>> {
  return new Promise((resolve) => {
    let headers: grpc.Metadata | undefined;
    const call = client.makeUnaryRequest(
      `/simplebank.v1.SimpleBank/${method}`,
      (m: MessageShape<I>) => Buffer.from(toBinary(input, m)),
      (b: Buffer) => fromBinary(output, b),
      msg,
      md,
      opts,
      (error, value) => resolve({ error: error ?? undefined, value, headers }),
    );
    call.on('metadata', (h) => (headers = h));
  });
}

it('unary calls, metadata and refusals work with grpc-js', async () => {
  const { create } = await import('@bufbuild/protobuf');
  const username = uniqueName('gj');
  const signedUp = await unary(
    'CreateUser',
    CreateUserRequestSchema,
    CreateUserResponseSchema,
    create(CreateUserRequestSchema, { username, fullName: 'J', email: `${username}@example.com`, password: 'password-1' }),
  );
  expect(signedUp.error).toBeUndefined();
  expect(signedUp.value?.user?.username).toBe(username);

  const md = new grpc.Metadata();
  md.set('x-request-id', 'interop-req-1');
  const login = await unary(
    'LoginUser',
    LoginUserRequestSchema,
    LoginUserResponseSchema,
    create(LoginUserRequestSchema, { username, password: 'password-1' }),
    md,
  );
  expect(login.headers?.get('x-request-id')).toEqual(['interop-req-1']);

  const auth = new grpc.Metadata();
  auth.set('authorization', `Bearer ${login.value!.accessToken}`);
  const first = await unary(
    'CreateAccount',
    CreateAccountRequestSchema,
    CreateAccountResponseSchema,
    create(CreateAccountRequestSchema, { currency: 'USD' }),
    auth,
  );
  expect(first.value?.account?.owner).toBe(username);
  const again = await unary(
    'CreateAccount',
    CreateAccountRequestSchema,
    CreateAccountResponseSchema,
    create(CreateAccountRequestSchema, { currency: 'USD' }),
    auth,
  );
  expect(again.error?.code).toBe(grpc.status.ALREADY_EXISTS);
  expect(again.error?.metadata.get('x-error-code')).toEqual(['account_exists']);
  expect(again.error?.details).toBe('you already have an account in that currency');

  const anonymous = await unary(
    'CreateAccount',
    CreateAccountRequestSchema,
    CreateAccountResponseSchema,
    create(CreateAccountRequestSchema, { currency: 'EUR' }),
  );
  expect([anonymous.error?.code, anonymous.error?.metadata.get('x-error-code')]).toEqual([
    grpc.status.UNAUTHENTICATED,
    ['unauthenticated'],
  ]);
});

it('a message over the size limit is RESOURCE_EXHAUSTED', async () => {
  const { create } = await import('@bufbuild/protobuf');
  const big = await unary(
    'LoginUser',
    LoginUserRequestSchema,
    LoginUserResponseSchema,
    create(LoginUserRequestSchema, { username: 'x'.repeat(20_000), password: 'y' }),
  );
  expect(big.error?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
});

it('a deadline that passes while a transfer waits on a lock is DEADLINE_EXCEEDED; a retry with the same key moves the money once', async () => {
  const { create } = await import('@bufbuild/protobuf');
  const { CreateTransferRequestSchema, CreateTransferResponseSchema } = await import(
    '../../generated/proto/simplebank/v1/simplebank_pb.js'
  );
  const { signUp, openAccount, depositAs } = await import('../setup/app.js');
  const banker = await signUp(t, { banker: true });
  const alice = await signUp(t);
  const bob = await signUp(t);
  const a = (await openAccount(t, alice)).id;
  const b = (await openAccount(t, bob)).id;
  await depositAs(t, banker, a, 1_000);
  const holder = await t.db.pool.connect();
  await holder.query('BEGIN');
  await holder.query('SELECT 1 FROM accounts WHERE id = $1 FOR UPDATE', [a]);
  const md = () => {
    const m = new grpc.Metadata();
    m.set('authorization', alice.auth.authorization);
    m.set('idempotency-key', 'interop-deadline-1');
    return m;
  };
  const req = create(CreateTransferRequestSchema, { fromAccountId: BigInt(a), toAccountId: BigInt(b), amount: 100n, currency: 'USD' });
  const started = Date.now();
  const late = await unary('CreateTransfer', CreateTransferRequestSchema, CreateTransferResponseSchema, req, md(), {
    deadline: Date.now() + 300,
  });
  expect(late.error?.code).toBe(grpc.status.DEADLINE_EXCEEDED);
  expect(Date.now() - started).toBeLessThan(5_000); // answered at the deadline, not when the lock goes
  await holder.query('COMMIT');
  holder.release();
  // The outcome of a call past its deadline is the database's: retrying with the key replays it or runs it once.
  let retry = await unary('CreateTransfer', CreateTransferRequestSchema, CreateTransferResponseSchema, req, md());
  for (let i = 0; i < 20 && retry.error?.code === grpc.status.ABORTED; i++) {
    await new Promise((r) => setTimeout(r, 100)); // idempotency_key_in_use while the first still runs
    retry = await unary('CreateTransfer', CreateTransferRequestSchema, CreateTransferResponseSchema, req, md());
  }
  expect(retry.error).toBeUndefined();
  expect(Number(retry.value?.result?.fromAccount?.balance)).toBe(900);
  const { rows } = await t.db.pool.query<{ n: string }>('SELECT count(*) AS n FROM transfers WHERE from_account_id = $1', [a]);
  expect(Number(rows[0]!.n)).toBe(1);
});
