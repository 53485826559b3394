// The service process serves both transports: HTTP on PORT and gRPC on GRPC_PORT, says so when
// ready, refuses a taken GRPC_PORT with one sentence, and stops both on SIGTERM.
import { createServer } from 'node:net';
import { createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { SimpleBank } from '../../generated/proto/simplebank/v1/simplebank_pb.js';
import { generateSecretKey } from '../../src/auth/tokens.js';
import { freePort, runTs, waitForOutput, waitForReady } from '../process/helpers.js';
import { createTestDb, type TestDb } from '../setup/db.js';

let db: TestDb;
let env: Record<string, string>;
beforeAll(async () => {
  db = await createTestDb(2);
  env = {
    DATABASE_URL: db.url,
    TOKEN_SECRET_KEY: await generateSecretKey(),
    ARGON2_MEMORY_KIB: '1024',
    ARGON2_TIME_COST: '1',
    ARGON2_PARALLELISM: '1',
  };
});
afterAll(async () => {
  await db.drop();
});

it('serves gRPC on GRPC_PORT beside HTTP, and SIGTERM stops both', async () => {
  const [port, grpcPort] = [await freePort(), await freePort()];
  const proc = runTs('src/server.ts', [], { ...env, PORT: String(port), GRPC_PORT: String(grpcPort) });
  try {
    await waitForReady(`http://127.0.0.1:${port}`, proc);
    await waitForOutput(proc, new RegExp(`gRPC on 127\\.0\\.0\\.1:${grpcPort}`));
    const bank = createClient(SimpleBank, createGrpcTransport({ baseUrl: `http://127.0.0.1:${grpcPort}` }));
    await bank.createUser({ username: 'grpc_proc', fullName: 'G', email: 'grpc_proc@example.com', password: 'password-1' });
    const session = await bank.loginUser({ username: 'grpc_proc', password: 'password-1' });
    expect(session.user?.username).toBe('grpc_proc');
    // The same user over HTTP: one implementation behind both.
    const http = await fetch(`http://127.0.0.1:${port}/accounts`, { headers: { authorization: `Bearer ${session.accessToken}` } });
    expect(http.status).toBe(200);
    await waitForOutput(
      proc,
      /"rpc":"simplebank\.v1\.SimpleBank\/LoginUser","status":"OK".*"user":"grpc_proc"|"rpc":"simplebank\.v1\.SimpleBank\/LoginUser"/,
    );
    expect(proc.output()).not.toMatch(/password-1/); // never logged
  } finally {
    proc.child.kill('SIGTERM');
  }
  expect(await proc.exited).toBe(0);
  await expect(
    createClient(SimpleBank, createGrpcTransport({ baseUrl: `http://127.0.0.1:${grpcPort}` })).loginUser({ username: 'x', password: 'y' }),
  ).rejects.toThrow(/ECONNREFUSED/); // nothing listens there any more
});

it('a taken GRPC_PORT is refused with one sentence naming it', async () => {
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
  const taken = (blocker.address() as { port: number }).port;
  try {
    const proc = runTs('src/server.ts', [], { ...env, PORT: String(await freePort()), GRPC_PORT: String(taken) });
    expect(await proc.exited).toBe(1);
    expect(proc.output()).toMatch(
      new RegExp(
        `simple bank cannot start: port ${taken} \\(GRPC_PORT\\) on 127\\.0\\.0\\.1 already in use: set GRPC_PORT to a free port\\.`,
      ),
    );
  } finally {
    blocker.close();
  }
});

it('GRPC_PORT=0 turns gRPC off, as the contract says', async () => {
  const port = await freePort();
  const proc = runTs('src/server.ts', [], { ...env, PORT: String(port), GRPC_PORT: '0' });
  try {
    await waitForReady(`http://127.0.0.1:${port}`, proc);
    await waitForOutput(proc, /gRPC off \(GRPC_PORT=0\)/);
    expect(proc.output()).toMatch(/"grpc":"off"/);
  } finally {
    proc.child.kill('SIGTERM');
  }
  expect(await proc.exited).toBe(0);
});
