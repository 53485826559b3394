// Safety v1.2 over gRPC: an Idempotency-Key the contract refuses is INVALID_ARGUMENT before anything
// reaches the ledger; JSON int64s are a canonical decimal integer or nothing (as on HTTP); a body
// with a duplicate key is ambiguous and refused. Raw JSON is sent over the Connect protocol (HTTP/2,
// application/json) and gRPC's JSON codec, as a client no SDK restrains would.
import type http2 from 'node:http2';
import { Code, ConnectError, createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { SimpleBank } from '../../generated/proto/simplebank/v1/simplebank_pb.js';
import { http2SeesEdgeWhitespace, warnIfHttp2DropsEdgeWhitespace } from '../../src/grpc/header-probe.js';
import { createGrpcServer, type GrpcServer } from '../../src/grpc/server.js';
import { createOperations } from '../../src/operations.js';
import { createTestApp, depositAs, openAccount, signUp, snapshot, type TestApp, type TestUser } from '../setup/app.js';
import { envelope, rawCall } from './raw-http2.js';

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
  const banker = await signUp(t, { banker: true, prefix: 'gsb' });
  payer = await signUp(t, { prefix: 'gsp' });
  const payee = await signUp(t, { prefix: 'gsq' });
  from = (await openAccount(t, payer)).id;
  to = (await openAccount(t, payee)).id;
  await depositAs(t, banker, from, 1_000_000);
});
afterAll(async () => {
  await grpc.close();
  await t.close();
});

/** One Connect-protocol unary call with a raw body. */
async function connectCall(
  method: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any; headers: http2.IncomingHttpHeaders }> {
  const r = await rawCall(
    baseUrl,
    `/simplebank.v1.SimpleBank/${method}`,
    { 'content-type': 'application/json', authorization: `Bearer ${payer.token}`, ...headers },
    Buffer.from(body),
  );
  return { status: r.status, body: r.body ? JSON.parse(r.body) : null, headers: r.headers };
}

describe('the Idempotency-Key over gRPC', () => {
  it.each([
    ['empty', ''],
    ['longer than 255 characters', 'k'.repeat(256)],
  ])('%s: INVALID_ARGUMENT validation_failed, nothing reaches the ledger', async (_name, key) => {
    const bank = createClient(SimpleBank, createGrpcTransport({ baseUrl }));
    const before = await snapshot(t);
    const err = await bank
      .createTransfer(
        { fromAccountId: BigInt(from), toAccountId: BigInt(to), amount: 5n, currency: 'USD' },
        { headers: { authorization: `Bearer ${payer.token}`, 'idempotency-key': key } },
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectError);
    expect({ code: (err as ConnectError).code, errorCode: (err as ConnectError).metadata.get('x-error-code') }).toEqual({
      code: Code.InvalidArgument,
      errorCode: 'validation_failed',
    });
    expect(await snapshot(t)).toEqual(before);
  });
});

describe('an Idempotency-Key with leading or trailing whitespace, sent in raw HTTP/2 frames', () => {
  // RFC 9113 calls such a field malformed and Node's HTTP/2 (nghttp2) used to drop it silently: the call
  // ran unkeyed and its retry paid again. The server tells Node not to (strictFieldWhitespaceValidation),
  // so the key arrives and is read as HTTP reads it: trimmed. Where this Node cannot be told (before
  // 22.x/24.2, e.g. Node 20, past its end of life), the service says so once at start instead.
  it.each([' ws-key-1 ', 'ws-key-2\t', '\tws-key-3'])('%j: the retry replays, the money moves once', async (raw) => {
    if (!(await http2SeesEdgeWhitespace())) {
      const lines: string[] = [];
      warnIfHttp2DropsEdgeWhitespace({ warn: (m: string) => lines.push(m) }, false);
      expect(lines.join('\n')).toMatch(/leading or trailing whitespace.*idempotency-key.*unkeyed/);
      return;
    }
    const before = await snapshot(t);
    const key = raw;
    const send = () =>
      rawCall(
        baseUrl,
        '/simplebank.v1.SimpleBank/CreateTransfer',
        { 'content-type': 'application/json', authorization: `Bearer ${payer.token}`, 'idempotency-key': key },
        Buffer.from(`{"from_account_id":${from},"to_account_id":${to},"amount":7,"currency":"USD"}`),
      );
    const first = await send();
    const second = await send();
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(JSON.parse(second.body)).toEqual(JSON.parse(first.body));
    const after = await snapshot(t);
    expect(Number(after.t) - Number(before.t)).toBe(1);
    // Read as HTTP reads it: the same key, trimmed, is the same key.
    const trimmed = await rawCall(
      baseUrl,
      '/simplebank.v1.SimpleBank/CreateTransfer',
      { 'content-type': 'application/json', authorization: `Bearer ${payer.token}`, 'idempotency-key': key.trim() },
      Buffer.from(`{"from_account_id":${from},"to_account_id":${to},"amount":7,"currency":"USD"}`),
    );
    expect(trimmed.headers['idempotent-replayed']).toBe('true');
  });
});

describe('JSON int64s are canonical decimal integers, as on HTTP', () => {
  const transfer = (amount: string) => `{"from_account_id":${from},"to_account_id":${to},"amount":${amount},"currency":"USD"}`;
  it.each([
    '1.0000000000000001',
    '1.0',
    '2e0',
    '1E1',
    '100.0',
    '"0x10"',
    '"0b11"',
    '"0o7"',
    '"+5"',
    '"\\t3"',
    '"  7  "',
    '"00009"',
    '"1.5"',
  ])('amount %s is INVALID_ARGUMENT and moves nothing', async (amount) => {
    const before = await snapshot(t);
    const r = await connectCall('CreateTransfer', transfer(amount));
    expect({ status: r.status, code: r.body?.code, errorCode: r.headers['x-error-code'] }).toEqual({
      status: 400,
      code: 'invalid_argument',
      errorCode: 'validation_failed',
    });
    expect(await snapshot(t)).toEqual(before);
  });
  it('refused with a Content-Length sent (as curl sends it): the answer names the field, not a length mismatch', async () => {
    const text = transfer('1.5');
    const r = await connectCall('CreateTransfer', text, { 'content-length': String(Buffer.byteLength(text)) });
    expect({ status: r.status, errorCode: r.headers['x-error-code'] }).toEqual({ status: 400, errorCode: 'validation_failed' });
    expect(r.body.message).toMatch(/^amount /);
  });
  it('a canonical string or number is accepted', async () => {
    expect((await connectCall('CreateTransfer', transfer('"3"'))).status).toBe(200);
    expect((await connectCall('CreateTransfer', transfer('4'))).status).toBe(200);
  });
  it('GetAccount with id "0x8" is refused, not account 8', async () => {
    const r = await connectCall('GetAccount', `{"id":"0x${from.toString(16)}"}`);
    expect({ status: r.status, code: r.body?.code }).toEqual({ status: 400, code: 'invalid_argument' });
  });
  it('a duplicate key is an ambiguous body: refused, nothing moved', async () => {
    const before = await snapshot(t);
    const r = await connectCall(
      'CreateTransfer',
      `{"from_account_id":${from},"to_account_id":${to},"amount":1,"amount":100000,"currency":"USD"}`,
    );
    expect({ status: r.status, code: r.body?.code }).toEqual({ status: 400, code: 'invalid_argument' });
    expect(await snapshot(t)).toEqual(before);
  });
});

it("gRPC's own JSON codec (enveloped messages) is held to the same rules", async () => {
  const before = await snapshot(t);
  const json = Buffer.from(`{"from_account_id":${from},"to_account_id":${to},"amount":"0x10","currency":"USD"}`);
  const { headers: trailers } = await rawCall(
    baseUrl,
    '/simplebank.v1.SimpleBank/CreateTransfer',
    { 'content-type': 'application/grpc+json', te: 'trailers', authorization: `Bearer ${payer.token}` },
    envelope(json),
  );
  expect({ status: trailers['grpc-status'], errorCode: trailers['x-error-code'] }).toEqual({ status: '3', errorCode: 'validation_failed' });
  expect(await snapshot(t)).toEqual(before);
});

describe('a gRPC deadline', () => {
  it('that has passed before the movement reaches the ledger: DEADLINE_EXCEEDED, and nothing moves', async () => {
    const bank = createClient(SimpleBank, createGrpcTransport({ baseUrl }));
    // Hold both ledger slots of the group commit with transfers that wait on a locked account row.
    const lock = await t.db.pool.connect();
    await lock.query('BEGIN');
    await lock.query('SELECT 1 FROM accounts WHERE id = $1 FOR UPDATE', [from]);
    const holders = [1, 2].map(() =>
      bank.createTransfer(
        { fromAccountId: BigInt(from), toAccountId: BigInt(to), amount: 1n, currency: 'USD' },
        { headers: { authorization: `Bearer ${payer.token}` } },
      ),
    );
    await new Promise((r) => setTimeout(r, 300));
    const before = await snapshot(t);
    const late = await Promise.all(
      Array.from({ length: 10 }, () =>
        bank
          .createTransfer(
            { fromAccountId: BigInt(from), toAccountId: BigInt(to), amount: 1n, currency: 'USD' },
            { headers: { authorization: `Bearer ${payer.token}` }, timeoutMs: 200 },
          )
          .then(
            () => 'ok',
            (e: unknown) => (e instanceof ConnectError ? Code[e.code] : String(e)),
          ),
      ),
    );
    await new Promise((r) => setTimeout(r, 300)); // their deadline long gone while they queued
    await lock.query('COMMIT');
    lock.release();
    await Promise.all(holders);
    await new Promise((r) => setTimeout(r, 300));
    expect(late).toEqual(Array(10).fill('DeadlineExceeded'));
    // Only the two holders moved money: the queued movements were dropped when their deadline passed.
    const after = await snapshot(t);
    const count = (s: typeof before) => Number(s.t);
    expect(count(after) - count(before)).toBe(2);
  });
});

describe("Connect's own refusals carry the contract's code and a request id", () => {
  /** A raw gRPC call: one envelope of `message` bytes; resolves with headers and trailers together. */
  const rawGrpc = async (message: Buffer, path = '/simplebank.v1.SimpleBank/LoginUser') =>
    (await rawCall(baseUrl, path, { 'content-type': 'application/grpc', te: 'trailers' }, envelope(message))).headers;
  it('a message over the size limit: RESOURCE_EXHAUSTED, x-error-code payload_too_large, x-request-id', async () => {
    const h = await rawGrpc(Buffer.alloc(200 * 1024, 1));
    expect({ status: h['grpc-status'], code: h['x-error-code'], id: typeof h['x-request-id'] }).toEqual({
      status: '8',
      code: 'payload_too_large',
      id: 'string',
    });
  });
  it('a message that does not decode: INVALID_ARGUMENT, x-error-code validation_failed, x-request-id', async () => {
    const h = await rawGrpc(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f]));
    expect({ status: h['grpc-status'], code: h['x-error-code'], id: typeof h['x-request-id'] }).toEqual({
      status: '3',
      code: 'validation_failed',
      id: 'string',
    });
  });
});

describe('renewals of one refresh token over gRPC', () => {
  it('racing renewals all answer the same pair; the session goes on with it, not blocked', async () => {
    const bank = createClient(SimpleBank, createGrpcTransport({ baseUrl }));
    for (let round = 0; round < 5; round++) {
      const u = await signUp(t, { prefix: 'gsr' });
      const pairs = await Promise.all(Array.from({ length: 4 }, () => bank.renewAccessToken({ refreshToken: u.refreshToken })));
      const tokens = new Set(pairs.map((p) => `${p.accessToken} ${p.refreshToken}`));
      expect(tokens.size).toBe(1);
      const next = await bank.renewAccessToken({ refreshToken: pairs[round % 4]!.refreshToken });
      expect(next.refreshToken).not.toBe(pairs[0]!.refreshToken);
      const { rows } = await t.db.pool.query('SELECT is_blocked FROM sessions WHERE id = $1', [u.sessionId]);
      expect(rows[0].is_blocked).toBe(false);
    }
  });
});
