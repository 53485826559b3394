// Traces (contract v1.2) against the real server and a test OTLP/HTTP receiver (JSON): an incoming W3C
// traceparent parents the request's SERVER span over HTTP and over gRPC metadata, every database call
// is a child span (db.system=postgresql), the ledger call's span links the request that it carried,
// and the request's log line has the trace id beside the request id. Without OTEL variables nothing
// of the SDK is loaded.
import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { SimpleBank } from '../../generated/proto/simplebank/v1/simplebank_pb.js';
import { generateSecretKey } from '../../src/auth/tokens.js';
import { projectRoot } from '../../src/platform/paths.js';
import { createTestDb, type TestDb } from '../setup/db.js';
import { freePort, type Proc, runTs, waitForOutput, waitForReady } from './helpers.js';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: { key: string; value: Record<string, unknown> }[];
  links?: { traceId: string; spanId: string }[];
}

let db: TestDb;
let receiver: Server;
let server: Proc;
let api: string;
let grpcUrl: string;
const spans: OtlpSpan[] = [];

beforeAll(async () => {
  db = await createTestDb(4);
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      if (req.url === '/v1/traces') {
        const doc = JSON.parse(body) as { resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[] };
        for (const rs of doc.resourceSpans) for (const ss of rs.scopeSpans) spans.push(...ss.spans);
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  const otlpPort = await freePort();
  await new Promise<void>((r) => receiver.listen(otlpPort, '127.0.0.1', () => r()));
  const [port, grpcPort] = [await freePort(), await freePort()];
  server = runTs('src/server.ts', [], {
    DATABASE_URL: db.url,
    TOKEN_SECRET_KEY: await generateSecretKey(),
    PORT: String(port),
    GRPC_PORT: String(grpcPort),
    ARGON2_MEMORY_KIB: '1024',
    ARGON2_TIME_COST: '1',
    ARGON2_PARALLELISM: '1',
    LOG_LEVEL: 'info',
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${otlpPort}`,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_BSP_SCHEDULE_DELAY: '100',
    OTEL_SERVICE_NAME: 'simple-bank-test',
  });
  api = `http://127.0.0.1:${port}`;
  grpcUrl = `http://127.0.0.1:${grpcPort}`;
  await waitForReady(api, server);
}, 90_000);
afterAll(async () => {
  server.child.kill('SIGTERM');
  await server.exited;
  receiver.close();
  await db.drop();
});

const attr = (s: OtlpSpan, key: string) => {
  const v = s.attributes.find((a) => a.key === key)?.value;
  return v ? (Object.values(v)[0] as unknown) : undefined;
};
const until = async (what: string, fn: () => boolean, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`no ${what} within ${ms} ms; spans: ${spans.map((s) => s.name).join(', ')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT = '00f067aa0ba902b7';

it('an incoming traceparent parents the SERVER span; database calls are its children; the ledger call links it', async () => {
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(api + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  await post('/users', { username: 'tr_alice', full_name: 'A', email: 'tr_alice@example.com', password: 'tracing-password' });
  await db.pool.query("UPDATE users SET role = 'banker' WHERE username = 'tr_alice'");
  const token = (
    (await (await post('/users/login', { username: 'tr_alice', password: 'tracing-password' })).json()) as { access_token: string }
  ).access_token;
  const account = ((await (await post('/accounts', { currency: 'USD' }, { authorization: `Bearer ${token}` })).json()) as { id: number })
    .id;

  const res = await post(
    '/deposits',
    { account_id: account, amount: 500 },
    { authorization: `Bearer ${token}`, traceparent: `00-${TRACE}-${PARENT}-01`, 'x-request-id': 'trace-me-1' },
  );
  expect(res.status).toBe(201);
  await until('the deposit span', () => spans.some((s) => s.traceId === TRACE && s.kind === 2));
  const serverSpan = spans.find((s) => s.traceId === TRACE && s.kind === 2)!;
  expect(serverSpan.parentSpanId).toBe(PARENT);
  expect({ route: attr(serverSpan, 'http.route'), status: Number(attr(serverSpan, 'http.response.status_code')) }).toEqual({
    route: '/deposits',
    status: 201,
  });
  await until('a database span of the request', () => spans.some((s) => s.traceId === TRACE && attr(s, 'db.system') === 'postgresql'));
  const dbSpans = spans.filter((s) => s.traceId === TRACE && attr(s, 'db.system') === 'postgresql');
  const ids = new Set(spans.filter((s) => s.traceId === TRACE).map((s) => s.spanId));
  expect(dbSpans.every((s) => s.kind === 3 && s.parentSpanId !== undefined && ids.has(s.parentSpanId))).toBe(true);
  // The ledger call that carried the deposit links the request's span.
  await until('the ledger span', () =>
    spans.some((s) => s.name.startsWith('ledger call') && (s.links ?? []).some((l) => l.spanId === serverSpan.spanId)),
  );
  // The request's log line has both ids.
  await waitForOutput(server, /"reqId":"trace-me-1"[^\n]*"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736"/);
});

it('over gRPC: the traceparent in the metadata parents a SERVER span with rpc.system and rpc.method', async () => {
  const trace = 'aaaabbbbccccddddeeeeffff00001111';
  const bank = createClient(SimpleBank, createGrpcTransport({ baseUrl: grpcUrl }));
  await bank.loginUser(
    { username: 'tr_alice', password: 'tracing-password' },
    { headers: { traceparent: `00-${trace}-1111222233334444-01` } },
  );
  await until('the RPC span', () => spans.some((s) => s.traceId === trace && s.kind === 2));
  const rpc = spans.find((s) => s.traceId === trace && s.kind === 2)!;
  expect({ parent: rpc.parentSpanId, system: attr(rpc, 'rpc.system'), method: attr(rpc, 'rpc.method') }).toEqual({
    parent: '1111222233334444',
    system: 'grpc',
    method: 'LoginUser',
  });
  await until('a database span of the RPC', () => spans.some((s) => s.traceId === trace && attr(s, 'db.system') === 'postgresql'));
});

it('without OTEL variables the server loads nothing of OpenTelemetry', () => {
  const modules = ['../../../src/bank.ts', '../../../src/grpc/server.ts', '../../../src/http/app.ts', '../../../src/db/pool.ts'];
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'tests/process/fixtures/loaded-modules.mjs', ...modules], {
    cwd: projectRoot,
    encoding: 'utf8',
    env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: '', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: '' },
  });
  expect(r.status).toBe(0);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { on: boolean; modules: string[] };
  expect(out.modules.some((m) => m.includes('/src/bank.ts'))).toBe(true); // the probe does see what loads
  expect(out.modules.some((m) => m.includes('/node_modules/fastify/'))).toBe(true);
  expect({ on: out.on, otel: out.modules.filter((m) => m.includes('@opentelemetry')) }).toEqual({ on: false, otel: [] });
});
