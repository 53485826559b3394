// Hostile gRPC input, property-based (fast-check), with the classes of safety review v1.2: int64s as
// loose numbers and strings, duplicate keys, JSON over each protocol, bad metadata (idempotency keys,
// authorization, request ids, deadlines). Never a 5xx / INTERNAL, and the ledger stays consistent.
import http2 from 'node:http2';
import fc from 'fast-check';
import { createGrpcServer, type GrpcServer } from '../../src/grpc/server.js';
import { createOperations } from '../../src/operations.js';
import { verifyLedger } from '../../src/transfers/ledger.verify.js';
import { createTestApp, depositAs, openAccount, signUp, type TestApp, type TestUser } from '../setup/app.js';
import { envelope, rawCall } from './raw-http2.js';

let t: TestApp;
let grpc: GrpcServer;
let baseUrl: string;
let payer: TestUser;
let from: number;
let to: number;
let session: http2.ClientHttp2Session;
const seen: Record<string, number> = {};

beforeAll(async () => {
  t = await createTestApp();
  grpc = createGrpcServer(createOperations(t.deps));
  baseUrl = `http://127.0.0.1:${await grpc.listen(0, '127.0.0.1')}`;
  const banker = await signUp(t, { banker: true, prefix: 'gfb' });
  payer = await signUp(t, { prefix: 'gfp' });
  const payee = await signUp(t, { prefix: 'gfq' });
  from = (await openAccount(t, payer)).id;
  to = (await openAccount(t, payee)).id;
  await depositAs(t, banker, from, 10_000_000);
  session = http2.connect(baseUrl);
});
afterAll(async () => {
  console.log(`gRPC fuzz: answers by status ${JSON.stringify(seen)}`);
  session.close();
  await grpc.close();
  await t.close();
});

const int64 = fc.oneof(
  fc.constantFrom('1', '5', '0', '-1', '9007199254740993', '1.0', '2e0', '1E1', '1.0000000000000001', '100.0'),
  fc.constantFrom('"3"', '"0x10"', '"0b11"', '"0o7"', '"+5"', '"\\t3"', '"  7  "', '"00009"', '"1.5"', '"abc"', '""', '"-0"'),
  fc.integer({ min: -10, max: 1_000_000 }).map(String),
  fc.constant(null).map(() => `${from}`),
  fc.constant(null).map(() => `${to}`),
);
const body = fc
  .tuple(
    int64,
    int64,
    int64,
    fc.constantFrom('"USD"', '"EUR"', '"usd"', '1', 'null'),
    fc.boolean(),
    fc.constantFrom('amount', 'from_account_id', 'currency'),
  )
  .map(([a, f, tt, c, dup, dupKey]) => {
    const fields = [`"from_account_id":${f}`, `"to_account_id":${tt}`, `"amount":${a}`, `"currency":${c}`];
    if (dup) fields.push(`"${dupKey}":${dupKey === 'currency' ? '"USD"' : '1'}`);
    return `{${fields.join(',')}}`;
  });
const metadata = fc.record({
  'idempotency-key': fc.option(fc.oneof(fc.constantFrom('', ' ', 'k'.repeat(256), 'a\u0007b'), fc.string({ maxLength: 40 })), {
    nil: undefined,
  }),
  authorization: fc.option(fc.constantFrom('Bearer x', 'Basic abc', '', 'bearer'), { nil: undefined }),
  'x-request-id': fc.option(fc.oneof(fc.constantFrom('', 'a'.repeat(300), 'ok-id-1'), fc.string({ maxLength: 20 })), { nil: undefined }),
  'connect-timeout-ms': fc.option(fc.constantFrom('0', '1', '-5', 'abc', '99999999999'), { nil: undefined }),
});

async function send(
  path: string,
  text: string,
  headers: Record<string, string>,
  enveloped: boolean,
): Promise<{ status: number; grpc?: string }> {
  const json = Buffer.from(text);
  const r = await rawCall(
    session,
    path,
    { 'content-type': enveloped ? 'application/grpc+json' : 'application/json', ...(enveloped ? { te: 'trailers' } : {}), ...headers },
    enveloped ? envelope(json) : json,
  );
  return { status: r.status, grpc: r.headers['grpc-status'] as string | undefined };
}

it('CreateTransfer under hostile JSON and metadata over Connect and gRPC-JSON: never 5xx or INTERNAL', async () => {
  await fc.assert(
    fc.asyncProperty(body, metadata, fc.boolean(), fc.boolean(), async (text, meta, enveloped, authed) => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(meta)) if (v !== undefined) headers[k] = v;
      if (authed) headers.authorization = `Bearer ${payer.token}`;
      let r: { status: number; grpc?: string };
      try {
        r = await send('/simplebank.v1.SimpleBank/CreateTransfer', text, headers, enveloped);
      } catch {
        return; // a header the HTTP/2 client itself refuses to send
      }
      const key = enveloped ? `grpc-${r.grpc}` : `http-${r.status}`;
      seen[key] = (seen[key] ?? 0) + 1;
      // The one 5xx of the Connect protocol that is the caller's own doing: its deadline passed (504).
      if (!(r.status === 504 && headers['connect-timeout-ms'] !== undefined)) expect(r.status).toBeLessThan(500);
      expect(r.grpc).not.toBe('13');
      expect(r.grpc).not.toBe('2');
    }),
    { numRuns: 300 },
  );
  expect((await verifyLedger(t.db.pool)).violations).toEqual([]);
}, 120_000);

it('the v1.3 RPCs (holds, postings, voids, reversals, account states, balance history) under hostile JSON: never 5xx or INTERNAL', async () => {
  const holdOf = async () => {
    const r = await t.app.inject({
      method: 'POST',
      url: '/transfers',
      headers: payer.auth,
      payload: { from_account_id: from, to_account_id: to, amount: 10, currency: 'USD', pending: true },
    });
    return String(r.json().transfer.id);
  };
  const holds = [await holdOf(), await holdOf(), await holdOf()];
  const idLike = fc.oneof(int64, fc.constantFrom(...holds));
  const text = fc.oneof(
    fc.constantFrom('"ref"', '""', '"a\\u0000b"', '"bell\\u0007"', `"${'r'.repeat(129)}"`, '1', 'null', '{}', '[]'),
    fc.string({ maxLength: 30 }).map((s) => JSON.stringify(s)),
  );
  const meta = fc.oneof(
    fc.constantFrom('{}', '{"k":"v"}', '{"":"v"}', '{"k":1}', '{"k":null}', '[]', '"x"', 'null', `{"k":"${'v'.repeat(501)}"}`),
    fc.dictionary(fc.string({ maxLength: 45 }), fc.string({ maxLength: 20 }), { maxKeys: 25 }).map((d) => JSON.stringify(d)),
  );
  const at = fc.constantFrom(
    '"2020-01-01T00:00:00Z"',
    '"1970-01-01T00:00:00Z"',
    '"yesterday"',
    '"9999-12-31T23:59:59Z"',
    '1',
    '{}',
    'null',
  );
  const call = fc.oneof(
    fc.tuple(fc.constant('PostTransfer'), fc.record({ id: idLike, amount: fc.option(int64, { nil: undefined }) })),
    fc.tuple(fc.constant('VoidTransfer'), fc.record({ id: idLike })),
    fc.tuple(
      fc.constant('ReverseTransfer'),
      fc.record({
        id: idLike,
        amount: fc.option(int64, { nil: undefined }),
        reference: fc.option(text, { nil: undefined }),
        metadata: fc.option(meta, { nil: undefined }),
      }),
    ),
    fc.tuple(fc.constantFrom('FreezeAccount', 'UnfreezeAccount', 'CloseAccount'), fc.record({ id: int64 })),
    fc.tuple(fc.constant('GetBalance'), fc.record({ account_id: int64, at: fc.option(at, { nil: undefined }) })),
    // (A valid wait_seconds holds the call that long: only the ones refused, or 0, here.)
    fc.tuple(
      fc.constant('ListEvents'),
      fc.record({
        after: int64,
        limit: fc.option(fc.constantFrom('0', '1', '1000', '1001', '-1', '1.5', '"10"', 'null', '2147483648'), { nil: undefined }),
        wait_seconds: fc.option(fc.constantFrom('0', '31', '-1', '1.5', '"5"', 'null', '2147483648'), { nil: undefined }),
      }),
    ),
    fc.tuple(
      fc.constant('CreateTransfer'),
      fc.record({
        from_account_id: fc.constant(`${from}`),
        to_account_id: fc.constant(`${to}`),
        amount: int64,
        currency: fc.constant('"USD"'),
        pending: fc.option(fc.constantFrom('true', 'false', '1', '"yes"', 'null'), { nil: undefined }),
        timeout_seconds: fc.option(fc.constantFrom('0', '1', '2592001', '-1', '1.5', '"60"', 'null'), { nil: undefined }),
        reference: fc.option(text, { nil: undefined }),
        metadata: fc.option(meta, { nil: undefined }),
      }),
    ),
  );
  await fc.assert(
    fc.asyncProperty(call, fc.boolean(), async ([method, fields], enveloped) => {
      const json = `{${Object.entries(fields)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `"${k}":${v}`)
        .join(',')}}`;
      const r = await send(`/simplebank.v1.SimpleBank/${method}`, json, { authorization: `Bearer ${payer.token}` }, enveloped);
      const key = `${method}-${enveloped ? `grpc-${r.grpc}` : `http-${r.status}`}`;
      seen[key] = (seen[key] ?? 0) + 1;
      expect(r.status).toBeLessThan(500);
      expect(r.grpc).not.toBe('13');
      expect(r.grpc).not.toBe('2');
    }),
    { numRuns: 400 },
  );
  expect((await verifyLedger(t.db.pool)).violations).toEqual([]);
}, 120_000);

it('frames and metadata of review v1.3 (compressed bombs, flags, truncated and extra frames, encodings, key bytes): never 5xx or INTERNAL, memory bounded', async () => {
  const { brotliCompressSync, gzipSync } = await import('node:zlib');
  const message = fc.constantFrom(
    `{"from_account_id":${from},"to_account_id":${to},"amount":1,"currency":"USD"}`,
    '{}',
    `{${' '.repeat(60_000)}}`,
    '{"amount":"0x10"}',
    'not json',
  );
  const frameArb = fc.record({
    text: message,
    compress: fc.constantFrom('none', 'gzip', 'br'),
    flags: fc.constantFrom(0, 1, 2, 3, 0x80),
    lengthDelta: fc.constantFrom(0, 0, 0, -1, 1, 1_000_000),
  });
  const call = fc.record({
    frames: fc.array(frameArb, { minLength: 0, maxLength: 4 }),
    repeat: fc.constantFrom(1, 1, 50, 400), // a bomb: the last frame sent this many times
    encoding: fc.constantFrom(undefined, 'gzip', 'br', 'identity', 'snappy', 'GZIP'),
    contentType: fc.constantFrom('application/grpc+json', 'application/grpc', 'application/grpc-web+json', 'application/connect+json'),
    key: fc.option(fc.constantFrom(' k1 ', 'k2\t', '\tk3', 'k\u007f4', 'ok-key'), { nil: undefined }),
    truncate: fc.constantFrom(0, 0, 3, 100),
  });
  const rssBefore = process.memoryUsage().rss;
  let rssPeak = rssBefore;
  await fc.assert(
    fc.asyncProperty(call, async (c) => {
      const parts: Buffer[] = [];
      for (const f of c.frames) {
        const raw = Buffer.from(f.text);
        const payload = f.compress === 'gzip' ? gzipSync(raw) : f.compress === 'br' ? brotliCompressSync(raw) : raw;
        const head = Buffer.alloc(5);
        head[0] = f.flags;
        head.writeUInt32BE(Math.max(0, payload.length + f.lengthDelta), 1);
        parts.push(head, payload);
      }
      if (c.repeat > 1 && parts.length >= 2) {
        const last = Buffer.concat(parts.slice(-2));
        for (let i = 1; i < c.repeat; i++) parts.push(last);
      }
      let body = Buffer.concat(parts);
      if (c.truncate) body = body.subarray(0, Math.max(0, body.length - c.truncate));
      const headers: Record<string, string> = { 'content-type': c.contentType, te: 'trailers', authorization: `Bearer ${payer.token}` };
      if (c.encoding) headers['grpc-encoding'] = c.encoding;
      if (c.key !== undefined) headers['idempotency-key'] = c.key;
      let r: Awaited<ReturnType<typeof rawCall>>;
      try {
        r = await rawCall(session, '/simplebank.v1.SimpleBank/CreateTransfer', headers, body);
      } catch {
        return; // a header the HTTP/2 client itself refuses to send
      }
      const grpcStatus = (r.headers['grpc-status'] as string | undefined) ?? /grpc-status: ?(\d+)/.exec(r.body)?.[1];
      const key = `frames-${grpcStatus ?? `http-${r.status}`}`;
      seen[key] = (seen[key] ?? 0) + 1;
      expect(r.status).toBeLessThan(500);
      expect(grpcStatus).not.toBe('13');
      expect(grpcStatus).not.toBe('2');
      rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    }),
    { numRuns: 300 },
  );
  // Whatever was sent, the process grew by less than the request budget's worth and a margin.
  expect((rssPeak - rssBefore) / 2 ** 20).toBeLessThan(256);
  expect((await verifyLedger(t.db.pool)).violations).toEqual([]);
}, 180_000);
