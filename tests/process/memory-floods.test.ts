// Memory under floods (#31 item 4), against the real server with its defaults: half-sent gRPC bodies
// on 50 connections, 15,000 Health/Watch streams, 3,000 HTTP/1.1 connections holding partial bodies.
// Each flood comes from several loopback addresses (127.0.0.3…), the other user from 127.0.0.2. The
// server's peak RSS (VmHWM) stays under the container limit of deploy/k8s (512 MiB), the other user is
// answered meanwhile, and the service is whole after.
import { readFileSync } from 'node:fs';
import http2 from 'node:http2';
import { connect, type Socket } from 'node:net';
import { generateSecretKey } from '../../src/auth/tokens.js';
import { createTestDb, type TestDb } from '../setup/db.js';
import { freePort, type Proc, runTs, waitForReady } from './helpers.js';

const LIMIT_MIB = 512; // deploy/k8s/deployment.yaml: limits.memory
let db: TestDb;
let server: Proc;
let port: number;
let grpcPort: number;

beforeAll(async () => {
  db = await createTestDb(4);
});
afterAll(async () => {
  await db.drop();
});

/** A fresh server per flood: its peak is that flood's alone (RSS does not shrink back after one). */
async function start(): Promise<void> {
  [port, grpcPort] = [await freePort(), await freePort()];
  server = runTs('src/server.ts', [], {
    DATABASE_URL: db.url,
    TOKEN_SECRET_KEY: await generateSecretKey(),
    PORT: String(port),
    GRPC_PORT: String(grpcPort),
    HOST: '0.0.0.0', // so that 127.0.0.2, 127.0.0.3, … reach it as themselves
    LOG_LEVEL: 'error',
  });
  await waitForReady(`http://127.0.0.1:${port}`, server);
}
async function stop(): Promise<void> {
  server.child.kill('SIGTERM');
  await server.exited;
}
beforeEach(start, 90_000);
afterEach(stop, 30_000);

/** The server's peak resident memory so far, MiB (VmHWM). */
function peakMiB(): number {
  const status = readFileSync(`/proc/${server.child.pid}/status`, 'utf8');
  const mib = (k: string) => Math.round(Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(status)![1]) / 1024);
  console.log(`server RSS ${mib('VmRSS')} MiB, peak ${mib('VmHWM')} MiB`);
  return mib('VmHWM');
}

const floodAddress = (i: number, of: number) => `127.0.0.${3 + (i % of)}`;

/** An HTTP/2 connection to the gRPC port from a loopback address of our choosing. */
const h2From = (localAddress: string) =>
  http2.connect(`http://127.0.0.1:${grpcPort}`, { createConnection: () => connect({ host: '127.0.0.1', port: grpcPort, localAddress }) });

/** The other user, from 127.0.0.2: readiness over HTTP and a gRPC Health/Check, each within `ms`. */
async function otherUserAnswered(ms = 3_000): Promise<{ readyz: number; check: string | undefined }> {
  const readyz = await new Promise<number>((resolve, reject) => {
    const sock = connect({ host: '127.0.0.1', port, localAddress: '127.0.0.2' });
    let text = '';
    sock.setTimeout(ms, () => reject(new Error('readyz: no answer in time')));
    sock.on('data', (d) => (text += d));
    sock.on('error', reject);
    sock.on('close', () => resolve(Number(/^HTTP\/1\.1 (\d+)/.exec(text)?.[1])));
    sock.write('GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  });
  const check = await new Promise<string | undefined>((resolve, reject) => {
    const session = h2From('127.0.0.2');
    session.on('error', reject);
    const timer = setTimeout(() => reject(new Error('Health/Check: no answer in time')), ms);
    const req = session.request({
      ':method': 'POST',
      ':path': '/grpc.health.v1.Health/Check',
      'content-type': 'application/grpc+json',
      te: 'trailers',
    });
    let status: string | undefined;
    req.on('response', (h) => (status = (h['grpc-status'] as string | undefined) ?? status));
    req.on('trailers', (h) => (status = h['grpc-status'] as string));
    req.on('data', () => {});
    req.on('error', reject);
    req.on('close', () => {
      clearTimeout(timer);
      session.close();
      resolve(status);
    });
    const body = Buffer.from('{}');
    const head = Buffer.alloc(5);
    head.writeUInt32BE(body.length, 1);
    req.end(Buffer.concat([head, body]));
  });
  return { readyz, check };
}

it('50 connections of half-sent gRPC bodies (100 streams each): under the limit, others answered', async () => {
  const sessions: http2.ClientHttp2Session[] = [];
  const part = Buffer.alloc(59 * 1024, 0x20);
  for (let c = 0; c < 50; c++) {
    const session = h2From(floodAddress(c, 4));
    session.on('error', () => {});
    sessions.push(session);
    for (let s = 0; s < 100; s++) {
      const req = session.request({
        ':method': 'POST',
        ':path': '/simplebank.v1.SimpleBank/CreateTransfer',
        'content-type': 'application/grpc',
        te: 'trailers',
      });
      req.on('error', () => {});
      req.on('data', () => {});
      const head = Buffer.alloc(5);
      head.writeUInt32BE(60 * 1024, 1); // declares 60 KiB, sends 59, never ends
      req.write(Buffer.concat([head, part]));
    }
  }
  await new Promise((r) => setTimeout(r, 3_000));
  expect(await otherUserAnswered()).toEqual({ readyz: 200, check: '0' });
  const peak = peakMiB();
  for (const s of sessions) s.destroy();
  expect(peak).toBeLessThan(LIMIT_MIB);
}, 60_000);

it('15,000 Health/Watch streams: at most GRPC_MAX_WATCH_STREAMS held, under the limit, others answered', async () => {
  const sessions: http2.ClientHttp2Session[] = [];
  const statuses = new Map<string, number>();
  let refused = 0;
  const body = Buffer.from('{}');
  const head = Buffer.alloc(5);
  head.writeUInt32BE(body.length, 1);
  for (let c = 0; c < 150; c++) {
    const session = h2From(floodAddress(c, 4));
    session.on('error', () => {});
    sessions.push(session);
    for (let s = 0; s < 100; s++) {
      const req = session.request({
        ':method': 'POST',
        ':path': '/grpc.health.v1.Health/Watch',
        'content-type': 'application/grpc+json',
        te: 'trailers',
      });
      req.on('error', () => {});
      req.on('close', () => {
        if (req.rstCode === http2.constants.NGHTTP2_REFUSED_STREAM) refused++;
      });
      req.on('data', () => {});
      req.on('trailers', (h) => {
        const k = String(h['grpc-status']);
        statuses.set(k, (statuses.get(k) ?? 0) + 1);
      });
      req.on('response', (h) => {
        if (h['grpc-status'] !== undefined) statuses.set(String(h['grpc-status']), (statuses.get(String(h['grpc-status'])) ?? 0) + 1);
      });
      req.end(Buffer.concat([head, body]));
    }
  }
  await new Promise((r) => setTimeout(r, 5_000));
  peakMiB();
  const t0 = Date.now();
  const other = await otherUserAnswered(20_000);
  console.log(`other user answered in ${Date.now() - t0} ms`);
  expect(other).toEqual({ readyz: 200, check: '0' });
  const peak = peakMiB();
  for (const s of sessions) s.destroy();
  // At most GRPC_MAX_WATCH_STREAMS watch; the rest were refused: RESOURCE_EXHAUSTED (8) past the Watch
  // bound, or REFUSED_STREAM past the bound of streams open at once (no status).
  expect(15_000 - (statuses.get('8') ?? 0) - refused).toBeLessThanOrEqual(1_000);
  expect(peak).toBeLessThan(LIMIT_MIB);
}, 60_000);

it('3,000 HTTP/1.1 connections holding 60 KiB partial bodies: under the limit, others answered', async () => {
  const sockets: Socket[] = [];
  const part = Buffer.alloc(60 * 1024, 0x20);
  await Promise.all(
    Array.from(
      { length: 3_000 },
      (_, i) =>
        new Promise<void>((resolve) => {
          const sock = connect({ host: '127.0.0.1', port, localAddress: floodAddress(i, 4) });
          sockets.push(sock);
          sock.on('error', () => resolve());
          sock.on('connect', () => {
            sock.write(`POST /users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${62 * 1024}\r\n\r\n`);
            sock.write(part, () => resolve());
          });
        }),
    ),
  );
  await new Promise((r) => setTimeout(r, 3_000));
  expect(await otherUserAnswered()).toEqual({ readyz: 200, check: '0' });
  const peak = peakMiB();
  for (const s of sockets) s.destroy();
  expect(peak).toBeLessThan(LIMIT_MIB);
}, 90_000);
