// Compressed frame bombs sent before authentication (#31 item 1): the decompressed bytes of a request are
// bounded in total, a unary call is refused after its first message, and the process keeps answering
// others meanwhile. Measured by the event loop's largest delay while the bombs are in flight.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { createGrpcServer, type GrpcServer } from '../../src/grpc/server.js';
import { createOperations } from '../../src/operations.js';
import { createTestApp, snapshot, type TestApp } from '../setup/app.js';
import { rawCall } from './raw-http2.js';

let t: TestApp;
let grpc: GrpcServer;
let baseUrl: string;
beforeAll(async () => {
  t = await createTestApp();
  grpc = createGrpcServer(createOperations(t.deps));
  baseUrl = `http://127.0.0.1:${await grpc.listen(0, '127.0.0.1')}`;
});
afterAll(async () => {
  await grpc.close();
  await t.close();
});

/** `count` compressed envelopes, each inflating to just under 64 KiB of JSON whitespace. */
function bomb(count: number, compress: (b: Buffer) => Buffer): Buffer {
  const inner = compress(Buffer.from(`{${' '.repeat(64 * 1024 - 16)}}`));
  const frame = Buffer.alloc(5 + inner.length);
  frame[0] = 1; // compressed
  frame.writeUInt32BE(inner.length, 1);
  inner.copy(frame, 5);
  return Buffer.concat(Array.from({ length: count }, () => frame));
}

const cases = [
  // The JSON `{ … }` is an empty message: refused as a second message on a unary call (UNIMPLEMENTED,
  // as gRPC's spec says). As binary protobuf, runs of spaces do not decode: INVALID_ARGUMENT.
  ['gRPC JSON, brotli', 'application/grpc+json', { 'grpc-encoding': 'br' }, brotliCompressSync, 'grpc 12'],
  ['gRPC JSON, gzip', 'application/grpc+json', { 'grpc-encoding': 'gzip' }, gzipSync, 'grpc 12'],
  ['gRPC-Web JSON, brotli', 'application/grpc-web+json', { 'grpc-encoding': 'br' }, brotliCompressSync, 'grpc 12'],
  ['gRPC binary, brotli', 'application/grpc', { 'grpc-encoding': 'br' }, brotliCompressSync, 'grpc 3'],
] as const;

/** The status a refusal carries: gRPC's in the trailers, gRPC-Web's in the body's trailer frame, else HTTP's. */
function statusOf(a: { status: number; headers: Record<string, unknown>; body: string }): string {
  const grpc = a.headers['grpc-status'] ?? /grpc-status: ?(\d+)/.exec(a.body)?.[1];
  if (grpc !== undefined) return `grpc ${grpc}`;
  const connect = /"code":"([a-z_]+)"/.exec(a.body)?.[1];
  return connect ? `connect ${connect}` : `http ${a.status}`;
}

describe.each(cases)('%s: frames of 64 KiB each, unauthenticated', (_name, contentType, encoding, compress, refusal) => {
  it('eight bombs at once on a unary method: each refused after its first message, nothing moved, the event loop never stalls', async () => {
    const body = bomb(2_700, compress);
    expect(body.length).toBeLessThan(300 * 1024); // what the attacker sends: 130–290 KB for ≈ 177 MB inflated
    const before = await snapshot(t);
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const answers = await Promise.all(
      Array.from({ length: 8 }, () =>
        rawCall(baseUrl, '/simplebank.v1.SimpleBank/CreateTransfer', { 'content-type': contentType, te: 'trailers', ...encoding }, body),
      ),
    );
    delay.disable();
    expect(answers.map(statusOf)).toEqual(Array(8).fill(refusal));
    // The slowest turn of the event loop meanwhile: today's main blocked it for seconds.
    expect(delay.max / 1e6).toBeLessThan(500);
    expect(await snapshot(t)).toEqual(before);
  });
});

it('Connect streaming JSON on a server-streaming method (Health/Watch): the same bomb is refused without a stall', async () => {
  const body = bomb(2_700, brotliCompressSync);
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const answers = await Promise.all(
    Array.from({ length: 8 }, () =>
      rawCall(
        baseUrl,
        '/grpc.health.v1.Health/Watch',
        { 'content-type': 'application/connect+json', 'connect-content-encoding': 'br' },
        body,
      ),
    ),
  );
  delay.disable();
  for (const a of answers) expect(statusOf(a)).not.toBe('http 200');
  expect(delay.max / 1e6).toBeLessThan(500);
});
