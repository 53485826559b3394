// A database that stops answering (#31 item 3): every queued money request is answered within 10 s of
// being sent — 503 `unavailable`, outcome unknown, retry with the key — however many are queued; the
// retries then run once each. And a gRPC call whose deadline passed before its movement reached the
// ledger moves nothing (#31 item 7), even when a ledger slot is free at once.
//
// The stall: a transaction holds the payer's account row, so every ledger call touching it waits on the
// lock (as it would on a stopped server) until its own bounds give up.
import http2 from 'node:http2';
import { Code, ConnectError, createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { SimpleBank } from '../../generated/proto/simplebank/v1/simplebank_pb.js';
import { createGrpcServer, type GrpcServer } from '../../src/grpc/server.js';
import { createOperations } from '../../src/operations.js';
import { verifyLedger } from '../../src/transfers/ledger.verify.js';
import { createTestApp, depositAs, openAccount, signUp, snapshot, type TestApp, type TestUser } from '../setup/app.js';

let t: TestApp;
let grpc: GrpcServer;
let baseUrl: string;
let payer: TestUser;
let from: number;
let to: number;

beforeAll(async () => {
  t = await createTestApp();
  grpc = createGrpcServer(createOperations(t.deps));
  baseUrl = `http://127.0.0.1:${await grpc.listen(0, '127.0.0.1')}`;
  const banker = await signUp(t, { banker: true, prefix: 'stb' });
  payer = await signUp(t, { prefix: 'stp' });
  const payee = await signUp(t, { prefix: 'stq' });
  from = (await openAccount(t, payer)).id;
  to = (await openAccount(t, payee)).id;
  await depositAs(t, banker, from, 1_000_000);
});
afterAll(async () => {
  expect((await verifyLedger(t.db.pool)).violations).toEqual([]);
  await grpc.close();
  await t.close();
});

/** Holds the payer's account row for `ms`, as a stalled database would hold every ledger call. */
async function stall(ms: number): Promise<() => Promise<void>> {
  const lock = await t.db.pool.connect();
  await lock.query('BEGIN');
  await lock.query('SELECT 1 FROM accounts WHERE id = $1 FOR UPDATE', [from]);
  let released = false;
  const release = async () => {
    if (released) return;
    released = true;
    clearTimeout(timer);
    await lock.query('COMMIT').catch(() => {});
    lock.release();
  };
  const timer = setTimeout(() => void release(), ms);
  return release;
}

const N = 150;

it(`${N} keyed HTTP transfers queued behind a stall: each answered within 10 s (201 or 503), each retry then moves once`, async () => {
  const before = await snapshot(t);
  const release = await stall(16_000);
  const send = (i: number) =>
    t.app.inject({
      method: 'POST',
      url: '/transfers',
      headers: { authorization: `Bearer ${payer.token}`, 'idempotency-key': `stall-http-${i}` },
      payload: { from_account_id: from, to_account_id: to, amount: 1, currency: 'USD' },
    });
  const answers = await Promise.all(
    Array.from({ length: N }, async (_, i) => {
      const at = performance.now();
      const res = await send(i);
      return { i, status: res.statusCode, ms: performance.now() - at, code: res.statusCode === 503 ? res.json().code : undefined };
    }),
  );
  await release();
  const slowest = Math.max(...answers.map((a) => a.ms));
  expect(slowest).toBeLessThan(10_000);
  expect(new Set(answers.map((a) => a.status))).toEqual(new Set([503]));
  expect(new Set(answers.map((a) => a.code))).toEqual(new Set(['unavailable']));
  // The database answers again: every retry with its key runs once.
  const retried = await Promise.all(answers.map((a) => send(a.i)));
  expect(retried.map((r) => r.statusCode)).toEqual(Array(N).fill(201));
  const after = await snapshot(t);
  expect(Number(after.t) - Number(before.t)).toBe(N);
}, 60_000);

it(`${N} keyed gRPC transfers queued behind a stall: each answered within 10 s, UNAVAILABLE; each retry then moves once`, async () => {
  // Two connections: one HTTP/2 connection carries at most 100 streams at once (the server's setting).
  const banks = [0, 1].map(() => createClient(SimpleBank, createGrpcTransport({ baseUrl })));
  const before = await snapshot(t);
  const release = await stall(16_000);
  const send = (i: number) =>
    banks[i % 2]!.createTransfer(
      { fromAccountId: BigInt(from), toAccountId: BigInt(to), amount: 1n, currency: 'USD' },
      { headers: { authorization: `Bearer ${payer.token}`, 'idempotency-key': `stall-grpc-${i}` } },
    ).then(
      () => 'OK',
      (e: unknown) => (e instanceof ConnectError ? Code[e.code] : String(e)),
    );
  const answers = await Promise.all(
    Array.from({ length: N }, async (_, i) => {
      const at = performance.now();
      const code = await send(i);
      return { code, ms: performance.now() - at };
    }),
  );
  await release();
  expect(Math.max(...answers.map((a) => a.ms))).toBeLessThan(10_000);
  expect(new Set(answers.map((a) => a.code))).toEqual(new Set(['Unavailable']));
  // A call that was still waiting when its movements were answered may commit once the stall ends
  // (the outcome was unknown): the retries with their keys replay it or run once.
  const retried = await Promise.all(Array.from({ length: N }, (_, i) => send(i)));
  expect(retried).toEqual(Array(N).fill('OK'));
  const after = await snapshot(t);
  expect(Number(after.t) - Number(before.t)).toBe(N);
}, 60_000);

it('a gRPC deadline of 1 ms (grpc-timeout: 1m), a ledger slot free: DEADLINE_EXCEEDED, nothing moves', async () => {
  // The body follows its headers 30 ms later: the deadline, counted from the request's arrival as gRPC
  // counts it, has passed before the movement can be sent — however fast the rest is.
  const before = await snapshot(t);
  const session = http2.connect(baseUrl);
  const call = (i: number) =>
    new Promise<string | undefined>((resolve, reject) => {
      const req = session.request({
        ':method': 'POST',
        ':path': '/simplebank.v1.SimpleBank/CreateTransfer',
        'content-type': 'application/grpc+json',
        te: 'trailers',
        'grpc-timeout': '1m',
        authorization: `Bearer ${payer.token}`,
        'idempotency-key': `deadline-${i}`,
      });
      let status: string | undefined;
      req.on('response', (h) => (status = (h['grpc-status'] as string | undefined) ?? status));
      req.on('trailers', (h) => (status = h['grpc-status'] as string));
      req.on('data', () => {});
      req.on('error', reject);
      req.on('close', () => resolve(status));
      setTimeout(() => req.end(envelopeOf(`{"from_account_id":${from},"to_account_id":${to},"amount":1,"currency":"USD"}`)), 30);
    });
  const statuses = await Promise.all(Array.from({ length: 20 }, (_, i) => call(i)));
  session.close();
  expect(statuses).toEqual(Array(20).fill('4'));
  await new Promise((r) => setTimeout(r, 200));
  expect(await snapshot(t)).toEqual(before);
});

function envelopeOf(json: string): Buffer {
  const body = Buffer.from(json);
  const head = Buffer.alloc(5);
  head.writeUInt32BE(body.length, 1);
  return Buffer.concat([head, body]);
}
