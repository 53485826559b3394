// Metrics (contract v1.2) against the real server: a scripted set of calls over both transports, then
// a scrape of METRICS_PORT; bounded cardinality; never on the API port; and a real Prometheus (Debian's
// package, installed by scripts/install-system-deps.sh) scraping the service proves the exposition
// parses and the scrape config's shape works.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Code, type ConnectError, createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { SimpleBank } from '../../generated/proto/simplebank/v1/simplebank_pb.js';
import { generateSecretKey } from '../../src/auth/tokens.js';
import { createTestDb, type TestDb } from '../setup/db.js';
import { freePort, type Proc, runTs, waitForReady } from './helpers.js';

let db: TestDb;
let server: Proc;
let api: string;
let metricsUrl: string;
let grpcUrl: string;
let metricsPort: number;

beforeAll(async () => {
  db = await createTestDb(4);
  const [port, grpcPort] = [await freePort(), await freePort()];
  metricsPort = await freePort();
  server = runTs('src/server.ts', [], {
    DATABASE_URL: db.url,
    TOKEN_SECRET_KEY: await generateSecretKey(),
    PORT: String(port),
    GRPC_PORT: String(grpcPort),
    METRICS_PORT: String(metricsPort),
    ARGON2_MEMORY_KIB: '1024',
    ARGON2_TIME_COST: '1',
    ARGON2_PARALLELISM: '1',
    LOG_LEVEL: 'warn',
  });
  api = `http://127.0.0.1:${port}`;
  metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  grpcUrl = `http://127.0.0.1:${grpcPort}`;
  await waitForReady(api, server);
}, 90_000);
afterAll(async () => {
  server.child.kill('SIGTERM');
  await server.exited;
  await db.drop();
});

const call = async (method: string, path: string, body?: unknown, token?: string) => {
  const res = await fetch(api + path, {
    method,
    headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
};
async function user(name: string) {
  await call('POST', '/users', { username: name, full_name: name, email: `${name}@example.com`, password: 'metrics-password' });
  return (await call('POST', '/users/login', { username: name, password: 'metrics-password' })).body.access_token as string;
}

/** Every sample of the exposition: `name{labels}` → value. */
async function scrape(): Promise<Map<string, number>> {
  const text = await (await fetch(metricsUrl)).text();
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    samples.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return samples;
}
const value = (s: Map<string, number>, name: string, labels: Record<string, string>) => {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  let total = 0;
  for (const [key, v] of s) {
    if (!key.startsWith(`${name}{`) && key !== name) continue;
    if (want.every((w) => key.includes(w))) total += v;
  }
  return total;
};

it('counts a 201, a 403, a 404 and a 422 under their route templates, money outcomes, and gRPC calls by code', async () => {
  const alice = await user('m_alice');
  const bob = await user('m_bob');
  await db.pool.query("UPDATE users SET role = 'banker' WHERE username = 'm_alice'");
  const a = (await call('POST', '/accounts', { currency: 'USD' }, alice)).body.id as number;
  const b = (await call('POST', '/accounts', { currency: 'USD' }, bob)).body.id as number;
  expect((await call('POST', '/deposits', { account_id: a, amount: 100 }, alice)).status).toBe(201);
  const before = await scrape();
  expect((await call('POST', '/transfers', { from_account_id: a, to_account_id: b, amount: 10, currency: 'USD' }, alice)).status).toBe(201);
  expect((await call('POST', '/transfers', { from_account_id: b, to_account_id: a, amount: 1, currency: 'USD' }, alice)).status).toBe(403);
  expect((await call('GET', '/accounts/987654321', undefined, alice)).status).toBe(404);
  expect((await call('POST', '/transfers', { from_account_id: a, to_account_id: b, amount: 10_000, currency: 'USD' }, alice)).status).toBe(
    422,
  );
  const bank = createClient(SimpleBank, createGrpcTransport({ baseUrl: grpcUrl }));
  await bank.getAccount({ id: BigInt(a) }, { headers: { authorization: `Bearer ${alice}` } });
  const unauth = await bank.getAccount({ id: BigInt(a) }).catch((e: unknown) => e);
  expect((unauth as ConnectError).code).toBe(Code.Unauthenticated);
  const after = await scrape();

  const delta = (name: string, labels: Record<string, string>) => value(after, name, labels) - value(before, name, labels);
  const http = (method: string, route: string, status: string) =>
    delta('http_request_duration_seconds_count', { method, route, status_code: status });
  expect({
    created: http('POST', '/transfers', '201'),
    forbidden: http('POST', '/transfers', '403'),
    notFound: http('GET', '/accounts/:id', '404'),
    refused: http('POST', '/transfers', '422'),
    grpcOk: delta('grpc_server_handled_total', { grpc_service: 'simplebank.v1.SimpleBank', grpc_method: 'GetAccount', grpc_code: 'OK' }),
    grpcUnauthenticated: delta('grpc_server_handled_total', { grpc_method: 'GetAccount', grpc_code: 'Unauthenticated' }),
    grpcTimed: delta('grpc_server_handling_seconds_count', { grpc_type: 'unary', grpc_method: 'GetAccount' }),
    transfersOk: delta('simplebank_money_movements_total', { kind: 'transfer', outcome: 'ok' }),
    transfersForbidden: delta('simplebank_money_movements_total', { kind: 'transfer', outcome: 'forbidden' }),
    transfersRefused: delta('simplebank_money_movements_total', { kind: 'transfer', outcome: 'insufficient_funds' }),
    ledgerCalls: delta('simplebank_ledger_batch_size_count', {}),
    ledgerTimed: delta('simplebank_ledger_call_seconds_count', {}),
    movementsWaited: delta('simplebank_ledger_queue_wait_seconds_count', {}),
    ledgerSecondsRecorded: delta('simplebank_ledger_call_seconds_sum', {}) > 0,
  }).toEqual({
    created: 1,
    forbidden: 1,
    notFound: 1,
    refused: 1,
    grpcOk: 1,
    grpcUnauthenticated: 1,
    grpcTimed: 2,
    transfersOk: 1,
    transfersForbidden: 1,
    transfersRefused: 1,
    ledgerCalls: 3,
    ledgerTimed: 3,
    movementsWaited: 3,
    ledgerSecondsRecorded: true,
  });
  // Gauges and the process's own metrics, under their usual names.
  for (const name of [
    'simplebank_db_pool_connections{state="idle"}',
    'simplebank_group_commit_queue_depth',
    'simplebank_session_listener_up',
    'simplebank_password_hash_queue_depth',
    'process_cpu_seconds_total',
    'process_resident_memory_bytes',
    'nodejs_eventloop_lag_seconds',
  ]) {
    expect([name, after.has(name)]).toEqual([name, true]);
  }
  expect(after.get('simplebank_session_listener_up')).toBe(1);
});

it('hundreds of distinct ids and unknown paths add no series; no label carries a path, an id or a name', async () => {
  const token = await user('m_card');
  await call('GET', '/no/such/route');
  await call('GET', '/accounts/1', undefined, token);
  const before = await scrape();
  for (let i = 0; i < 200; i++) await call('GET', `/accounts/${1_000_000 + i}`, undefined, token);
  for (let i = 0; i < 200; i++) await call('GET', `/no/such/route/${i}?x=${i}`);
  const after = await scrape();
  const series = (s: Map<string, number>) => [...s.keys()].filter((k) => k.startsWith('http_request_duration_seconds')).length;
  expect(series(after)).toBe(series(before));
  const text = [...after.keys()].join('\n');
  expect(text).not.toMatch(/1000\d{3}|m_card|\/no\/such|Bearer/);
});

it('is not served on the API port', async () => {
  expect((await fetch(`${api}/metrics`)).status).toBe(404);
});

describe('a real Prometheus', () => {
  let prom: ChildProcess | undefined;
  let dir: string;
  afterAll(async () => {
    prom?.kill('SIGTERM');
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  it('scrapes the service: the target is up and the bank’s series are there', async () => {
    expect(existsSync('/usr/bin/prometheus')).toBe(true); // .ci/run installs it (scripts/install-system-deps.sh)
    dir = await mkdtemp(join(tmpdir(), 'simplebank-prom-'));
    await writeFile(
      join(dir, 'prometheus.yml'),
      `global: { scrape_interval: 1s }\nscrape_configs:\n  - job_name: simple-bank\n    static_configs: [{ targets: ['127.0.0.1:${metricsPort}'] }]\n`,
    );
    const port = await freePort();
    prom = spawn(
      '/usr/bin/prometheus',
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      { stdio: 'ignore' },
    );
    const q = async (expr: string) => {
      const r = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(expr)}`).catch(() => undefined);
      if (!r?.ok) return [];
      return ((await r.json()) as { data: { result: { value: [number, string] }[] } }).data.result;
    };
    let up: string | undefined;
    for (let i = 0; i < 100 && up !== '1'; i++) {
      up = (await q('up{job="simple-bank"}'))[0]?.value[1];
      if (up !== '1') await new Promise((r) => setTimeout(r, 200));
    }
    expect(up).toBe('1');
    expect((await q('simplebank_money_movements_total')).length).toBeGreaterThan(0);
    expect((await q('http_request_duration_seconds_bucket')).length).toBeGreaterThan(0);
  }, 60_000);
});

it('every metric the dashboard and the alerts use is one the service exposes', async () => {
  const { readFileSync } = await import('node:fs');
  const { projectRoot } = await import('../../src/platform/paths.js');
  const text = await (await fetch(metricsUrl)).text();
  const exposed = new Set(
    [...text.matchAll(/^# TYPE (\S+) (\S+)/gm)].flatMap(([, name, type]) =>
      type === 'histogram' ? [`${name}_bucket`, `${name}_count`, `${name}_sum`] : [name!],
    ),
  );
  const used = new Set<string>();
  for (const f of ['deploy/monitoring/grafana-dashboard.json', 'deploy/monitoring/alerts.rules.yml']) {
    for (const m of readFileSync(join(projectRoot, f), 'utf8').matchAll(
      /\b((?:simplebank|http_request|grpc_server|process|nodejs)_[a-z0-9_]+)\b/g,
    ))
      used.add(m[1]!);
  }
  expect([...used].filter((m) => !exposed.has(m))).toEqual([]);
  expect(used.size).toBeGreaterThan(15);
});
