// Safety v1.2, finding 2: the listeners are bounded. gRPC: streams per connection, a half-sent
// stream and a connection that never speaks are cut after their timeouts; Health/Watch streams
// share one readiness state (no query per stream) and add no listener per tick; TRUST_PROXY_HOPS
// gives the client address as on HTTP. HTTP: a body trickled in is cut after REQUEST_TIMEOUT.
import http2 from 'node:http2';
import { connect as tcpConnect } from 'node:net';
import { create } from '@bufbuild/protobuf';
import { Code, ConnectError, createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { Health, HealthCheckRequestSchema } from '../../generated/proto/grpc/health/v1/health_pb.js';
import { SimpleBank } from '../../generated/proto/simplebank/v1/simplebank_pb.js';
import { createGrpcServer, type GrpcServer } from '../../src/grpc/server.js';
import { createOperations, type Operations } from '../../src/operations.js';
import { createTestApp, signUp, type TestApp } from '../setup/app.js';

let t: TestApp;
let grpc: GrpcServer;
let baseUrl: string;
let ops: Operations;
let readinessCalls = 0;

beforeAll(async () => {
  t = await createTestApp({ loginPerIp: 5, loginPerUsername: 1_000 });
  const real = createOperations(t.deps);
  ops = {
    ...real,
    health: {
      ...real.health,
      readiness: () => {
        readinessCalls++;
        return real.health.readiness();
      },
    },
  };
  grpc = createGrpcServer(ops, { maxConcurrentStreams: 10, requestTimeoutMs: 1_000, idleTimeoutMs: 1_500, trustProxyHops: 1 });
  baseUrl = `http://127.0.0.1:${await grpc.listen(0, '127.0.0.1')}`;
});
afterAll(async () => {
  await grpc.close();
  await t.close();
});

it('advertises a bounded number of streams per connection', async () => {
  const session = http2.connect(baseUrl);
  const settings = await new Promise<http2.Settings>((r) => session.once('remoteSettings', r));
  session.close();
  expect(settings.maxConcurrentStreams).toBe(10);
});

it('a half-sent request is reset after the request timeout', async () => {
  const session = http2.connect(baseUrl);
  const started = Date.now();
  const req = session.request({ ':method': 'POST', ':path': '/simplebank.v1.SimpleBank/LoginUser', 'content-type': 'application/grpc' });
  req.write(Buffer.from([0, 0, 0, 0, 100, 1, 2, 3])); // says 100 bytes, sends 3, never ends
  req.on('data', () => {});
  await new Promise<void>((r) => req.on('close', () => r()));
  session.destroy();
  expect(Date.now() - started).toBeLessThan(3_000);
});

it('a connection that never sends the HTTP/2 preface is closed after the idle timeout', async () => {
  const socket = tcpConnect(Number(new URL(baseUrl).port), '127.0.0.1');
  socket.on('error', () => {}); // the server resets it
  const started = Date.now();
  await new Promise<void>((r) => socket.on('close', () => r()));
  expect(Date.now() - started).toBeLessThan(4_000);
});

it('many Health/Watch streams share one readiness check per second, and close with the server', async () => {
  const health = createClient(Health, createGrpcTransport({ baseUrl }));
  const controllers = Array.from({ length: 8 }, () => new AbortController()); // below the 10 streams of one connection
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(w.name);
  process.on('warning', onWarning);
  const firsts = controllers.map(async (c) => {
    for await (const m of health.watch(create(HealthCheckRequestSchema, { service: '' }), { signal: c.signal })) return m.status;
    return undefined;
  });
  expect(new Set(await Promise.all(firsts))).toEqual(new Set([1])); // SERVING
  const before = readinessCalls;
  const streams = controllers.map(async (c) => {
    try {
      for await (const _ of health.watch(create(HealthCheckRequestSchema, { service: '' }), { signal: c.signal })) {
        /* changes only */
      }
    } catch (err) {
      if (!(err instanceof ConnectError && err.code === Code.Canceled)) throw err;
    }
  });
  await new Promise((r) => setTimeout(r, 3_000));
  for (const c of controllers) c.abort();
  await Promise.all(streams);
  process.off('warning', onWarning);
  expect(readinessCalls - before).toBeLessThanOrEqual(6); // one a second for all, not one per stream
  expect(warnings).not.toContain('MaxListenersExceededWarning');
});

it('TRUST_PROXY_HOPS: the client address comes from X-Forwarded-For, as on HTTP', async () => {
  const bank = createClient(SimpleBank, createGrpcTransport({ baseUrl }));
  const victim = await signUp(t, { prefix: 'xff' });
  const codes: Code[] = [];
  for (let i = 0; i < 7; i++) {
    const err = await bank
      .loginUser({ username: victim.username, password: 'wrong-password' }, { headers: { 'x-forwarded-for': `203.0.113.${i + 1}` } })
      .catch((e: unknown) => e as ConnectError);
    codes.push((err as ConnectError).code);
  }
  // Seven clients, each its own address: none is limited by the others' attempts (limit 5 per IP).
  expect(codes).toEqual(Array(7).fill(Code.Unauthenticated));
});
