// `npm start` for real: embedded Postgres in a data folder, ready server, graceful stop, a second
// start that reuses the data (and the token key), and one clear sentence for each start-up problem.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, type Proc, portInUse, run, runTs, waitForReady } from './helpers.js';

let dataDir: string;
let env: Record<string, string | undefined>;
let base: string;
let pgPort: number;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'simplebank-start-'));
  const port = await freePort();
  pgPort = await freePort();
  base = `http://127.0.0.1:${port}`;
  env = {
    DATABASE_URL: undefined,
    TOKEN_SECRET_KEY: undefined,
    DATA_DIR: dataDir,
    PORT: String(port),
    EMBEDDED_PG_PORT: String(pgPort),
    ARGON2_MEMORY_KIB: '1024',
    ARGON2_TIME_COST: '1',
    ARGON2_PARALLELISM: '1',
    LOG_LEVEL: 'info',
  };
});
const running = new Set<Proc>();
afterEach(async () => {
  // A failed test must not leave a server (or its Postgres) behind for the next one.
  for (const p of running) {
    if (p.child.exitCode === null) {
      p.child.kill('SIGTERM');
      await p.exited;
    }
  }
  running.clear();
  const pidFile = join(dataDir, 'pg', 'postmaster.pid');
  if (existsSync(pidFile)) {
    const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
    try {
      process.kill(pid, 'SIGINT');
      while (existsSync(pidFile)) await new Promise((r) => setTimeout(r, 100));
    } catch {
      /* already gone */
    }
  }
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

async function start(extra: Record<string, string | undefined> = {}): Promise<Proc> {
  const proc = runTs('src/server.ts', [], { ...env, ...extra });
  running.add(proc);
  await waitForReady(base, proc);
  return proc;
}

async function stop(proc: Proc): Promise<number | null> {
  proc.child.kill('SIGTERM');
  return proc.exited;
}

const json = (body: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

it('starts on embedded Postgres, stops cleanly on SIGTERM, and a second start reuses the data and the token key', async () => {
  const first = await start();
  expect((await fetch(`${base}/healthz`)).status).toBe(200);
  const signUp = await fetch(
    `${base}/users`,
    json({ username: 'persisted', full_name: 'P', email: 'p@example.com', password: 'password1' }),
  );
  expect(signUp.status).toBe(201);
  const login = (await (await fetch(`${base}/users/login`, json({ username: 'persisted', password: 'password1' }))).json()) as {
    access_token: string;
  };
  const auth = { authorization: `Bearer ${login.access_token}` };
  expect(
    (
      await fetch(`${base}/accounts`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: '{"currency":"USD"}',
      })
    ).status,
  ).toBe(201);

  expect(await stop(first)).toBe(0);
  expect(first.output()).toMatch(/"msg":"stopped"/);
  expect(await portInUse(pgPort)).toBe(false); // the embedded Postgres went down with it

  const second = await start();
  expect(second.output()).not.toMatch(/Applying:/); // nothing to migrate: same database
  const accounts = await fetch(`${base}/accounts`, { headers: auth }); // the old token is still valid
  expect(accounts.status).toBe(200);
  expect(((await accounts.json()) as { currency: string }[]).map((a) => a.currency)).toEqual(['USD']);

  // An operator command works against the running service's database.
  const grant = await run('scripts/cli.ts', ['grant-banker', 'persisted'], env);
  expect(grant.output).toMatch(/persisted is now a banker/);
  expect(grant.code).toBe(0);

  // A second service on the same data folder is refused with one sentence.
  const clash = runTs('src/server.ts', [], { ...env, PORT: String(await freePort()) });
  running.add(clash);
  expect(await clash.exited).not.toBe(0);
  expect(clash.output()).toMatch(/cannot start: The embedded Postgres in .* is already running/);

  expect(await stop(second)).toBe(0);
});

it('on SIGTERM an in-flight request still completes before the server stops', async () => {
  const proc = await start();
  const hdr = (token: string) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json' });
  const token = async (u: string) => {
    await fetch(`${base}/users`, json({ username: u, full_name: u, email: `${u}@example.com`, password: 'password1' }));
    return ((await (await fetch(`${base}/users/login`, json({ username: u, password: 'password1' }))).json()) as { access_token: string })
      .access_token;
  };
  const payer = await token('inflight_payer');
  const payee = await token('inflight_payee');
  const open = async (t: string) =>
    ((await (await fetch(`${base}/accounts`, { method: 'POST', headers: hdr(t), body: '{"currency":"EUR"}' })).json()) as { id: number })
      .id;
  const from = await open(payer);
  const to = await open(payee);

  // Hold the payer's account row from outside, so the transfer provably sits inside the server,
  // waiting in Postgres, when SIGTERM arrives.
  const { attachOrStartEmbedded } = await import('../../src/platform/embedded-postgres.js');
  const pgLib = (await import('pg')).default;
  const db = await attachOrStartEmbedded({ dataDir, port: pgPort });
  const blocker = new pgLib.Client({ connectionString: db.url });
  blocker.on('error', () => {});
  await blocker.connect();
  await blocker.query('BEGIN');
  await blocker.query('SELECT 1 FROM accounts WHERE id = $1 FOR UPDATE', [from]);
  const pending = fetch(`${base}/transfers`, {
    method: 'POST',
    headers: hdr(payer),
    body: JSON.stringify({ from_account_id: from, to_account_id: to, amount: 1, currency: 'EUR' }),
  }).then(async (r) => ({ status: r.status, code: ((await r.json()) as { code?: string }).code }));
  for (let i = 0; ; i++) {
    const { rows } = await blocker.query(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'",
    );
    if (rows[0].n === 1) break;
    if (i > 100) throw new Error('the transfer never reached Postgres');
    await new Promise((r) => setTimeout(r, 50));
  }

  proc.child.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 500));
  expect(proc.child.exitCode).toBeNull(); // still waiting for the in-flight request
  const late = await fetch(`${base}/healthz`).then(
    (r) => r.status,
    () => 'refused',
  );
  expect([503, 'refused']).toContain(late); // nothing new is served once shutdown began
  await blocker.query('COMMIT');
  await blocker.end();

  expect(await pending).toEqual({ status: 422, code: 'insufficient_funds' }); // the request ran to its real answer
  expect(await proc.exited).toBe(0);
});

it('recovers from a server that was SIGKILLed (its orphaned Postgres is stopped and restarted)', async () => {
  const victim = await start();
  victim.child.kill('SIGKILL');
  await victim.exited;
  expect(await portInUse(pgPort)).toBe(true); // the orphan still holds the port
  const next = await start();
  expect(next.output()).toMatch(/stale embedded Postgres/);
  expect(await stop(next)).toBe(0);
});

it('a taken Postgres port is one clear sentence, not a stack trace', async () => {
  const { createServer } = await import('node:net');
  expect(await portInUse(pgPort)).toBe(false);
  const blocker = createServer();
  await new Promise<void>((resolve, reject) => {
    blocker.once('error', reject);
    blocker.listen(pgPort, '127.0.0.1', () => resolve());
  });
  try {
    const res = await run('src/server.ts', [], env);
    expect(res.code).not.toBe(0);
    expect(res.output).toMatch(
      new RegExp(
        `cannot start: port ${pgPort} \\(EMBEDDED_PG_PORT\\) on 127\\.0\\.0\\.1 already in use: set EMBEDDED_PG_PORT to a free port\\.`,
      ),
    );
    expect(res.output).not.toMatch(/\n\s+at /);
  } finally {
    blocker.close();
  }
});

it.each([
  ['a name that does not resolve', 'no-such-host.invalid', /cannot start: HOST no-such-host\.invalid cannot be resolved/],
  ['an address of another machine', '192.0.2.1', /cannot start: HOST 192\.0\.2\.1 is not an address of this machine/],
])('a bad HOST (%s) is said as it is, not as a busy port', async (_what, host, said) => {
  const res = await run('src/server.ts', [], { ...env, HOST: host });
  expect(res.code).not.toBe(0);
  expect(res.output).toMatch(said);
  expect(res.output).not.toMatch(/already in use/);
  expect(res.output).not.toMatch(/\n\s+at /);
});

it('a broken data folder is one clear sentence', async () => {
  const broken = await mkdtemp(join(tmpdir(), 'simplebank-broken-'));
  await mkdir(join(broken, 'pg'));
  await writeFile(join(broken, 'pg', 'junk'), 'not a cluster');
  const res = await run('src/server.ts', [], { ...env, DATA_DIR: broken });
  expect(res.code).not.toBe(0);
  expect(res.output).toMatch(/cannot start: The folder .*pg is not empty but holds no Postgres cluster/);
  await rm(broken, { recursive: true, force: true });
});

it('a bad configuration value stops start-up with one sentence naming the variable', async () => {
  const res = await run('src/server.ts', [], { ...env, ACCESS_TOKEN_DURATION: 'soon' });
  expect(res.code).toBe(78);
  expect(res.output.trim()).toBe('simple bank cannot start: ACCESS_TOKEN_DURATION must be a duration such as 15m, 24h or 90s, got "soon".');
  const noKey = await run('src/server.ts', [], { ...env, DATABASE_URL: 'postgres://x@127.0.0.1:1/x' });
  expect(noKey.output).toMatch(/TOKEN_SECRET_KEY is required when DATABASE_URL is set/);
});

it.each([
  ['TOKEN_SECRET_KEY', { TOKEN_SECRET_KEY: 'k4.secret.garbage' }],
  ['TOKEN_SECRET_KEY', { TOKEN_SECRET_KEY: 'not-a-paserk' }],
  ['TOKEN_PREVIOUS_PUBLIC_KEYS', { TOKEN_PREVIOUS_PUBLIC_KEYS: 'k4.public.garbage' }],
])('a malformed %s is one sentence naming it and how to make a key; nothing is left running', async (name, bad) => {
  const fresh = await mkdtemp(join(tmpdir(), 'simplebank-badkey-'));
  const res = await run('src/server.ts', [], { ...env, DATA_DIR: fresh, ...bad });
  expect(res.code).toBe(78);
  expect(res.output).toMatch(new RegExp(`^simple bank cannot start: ${name}[: ]`, 'm'));
  expect(res.output).toMatch(name === 'TOKEN_SECRET_KEY' ? /npm run cli -- new-token-key/ : /npm run cli -- token-public-key/);
  expect(res.output).not.toMatch(/\n\s+at |InvalidPASERK|PaserkInvalid/);
  expect(await portInUse(pgPort)).toBe(false); // no embedded Postgres was started (or left behind)
  await rm(fresh, { recursive: true, force: true });
});

it('every taken port of the start is named in one sentence, before anything is started', async () => {
  const { createServer } = await import('node:net');
  const fresh = await mkdtemp(join(tmpdir(), 'simplebank-ports-'));
  const [http, grpc, pg] = [await freePort(), await freePort(), await freePort()];
  const blockers = [http, grpc, pg].map((p) => {
    const s = createServer();
    s.listen(p, '127.0.0.1');
    return s;
  });
  await new Promise((r) => setTimeout(r, 100));
  try {
    const res = await run('src/server.ts', [], {
      ...env,
      DATA_DIR: fresh,
      PORT: String(http),
      GRPC_PORT: String(grpc),
      EMBEDDED_PG_PORT: String(pg),
    });
    expect(res.code).not.toBe(0);
    const sentence = res.output.split('\n').find((l) => l.includes('cannot start'));
    expect(sentence).toMatch(new RegExp(`${http} \\(PORT\\).*${grpc} \\(GRPC_PORT\\).*${pg} \\(EMBEDDED_PG_PORT\\)`));
    expect(res.output).not.toMatch(/\n\s+at /);
    expect(existsSync(join(fresh, 'pg'))).toBe(false); // no Postgres was initialised, nothing migrated
  } finally {
    for (const b of blockers) b.close();
    await rm(fresh, { recursive: true, force: true });
  }
});
