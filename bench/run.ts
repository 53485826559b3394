// `npm run bench`: transfers per second through the real HTTP API, against two baselines measured in
// the same run on the same database: TransferTx in-process, and the simplebank-style transaction.
//   flags: --connections 32  --duration 8 (s per phase)  --accounts 10000  --workload both|spread|hot  --pool 10
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { generateSecretKey } from '../src/auth/tokens.js';
import { DomainError } from '../src/db/errors.js';
import { createPool } from '../src/db/pool.js';
import { verifyLedger } from '../src/ledger/ledger.verify.js';
import { transfer } from '../src/ledger/transfer.service.js';
import { projectRoot } from '../src/paths.js';
import { grantBanker } from '../src/users/users.service.js';
import { freePort } from '../scripts/free-port.js';
import { createScratchDb } from '../scripts/scratch-db.js';
import { simplebankTransfer } from './baseline.js';
import { createClient } from './http.js';
import { drive, type PhaseResult } from './stats.js';

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}
const connections = Number(flag('connections', '32'));
const duration = Number(flag('duration', '8'));
const accountCount = Number(flag('accounts', '10000'));
const workload = flag('workload', 'both');
const poolSize = Number(flag('pool', '10'));
// The simplebank service (Go database/sql) opens as many connections as it has concurrent requests.
const baselinePoolSize = Number(flag('baseline-pool', String(connections)));
const log = (m: string) => console.log(`[bench] ${m}`);
const CURRENCIES = ['USD', 'EUR', 'CAD'] as const;

/** Runs `fn` over `items` from `concurrency` loops, printing progress. */
async function each<T>(label: string, items: T[], concurrency: number, fn: (item: T) => Promise<void>) {
  let next = 0;
  let done = 0;
  const tty = process.stdout.isTTY;
  const ticker = setInterval(
    () => process.stdout.write(tty ? `\r  ${label}: ${done}/${items.length}   ` : `  ${label}: ${done}/${items.length}\n`),
    tty ? 500 : 3000,
  );
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < items.length) {
      await fn(items[next++]!);
      done++;
    }
  }));
  clearInterval(ticker);
  process.stdout.write(`\r  ${label}: ${done}/${items.length}   \n`);
}

/** User + system CPU time of a process so far, in ms. */
function cpuMsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // clock ticks at USER_HZ = 100
}

function rssOf(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function main(): Promise<number> {
  log(`connections ${connections}, ${duration} s per phase, ${accountCount} accounts, workload ${workload}, service pool ${poolSize}, simplebank-style pool ${baselinePoolSize}`);
  const db = await createScratchDb(log);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  // BENCH_PROFILE=1: the server writes a V8 CPU profile to bench/results/profiles/ when it stops.
  const profile = process.env.BENCH_PROFILE === '1' ? ['--cpu-prof', `--cpu-prof-dir=${join(projectRoot, 'bench/results/profiles')}`] : [];
  // The production artifact, as the image runs it: compiled dist/, no TypeScript loader.
  log('compiling dist/ (tsc -p tsconfig.build.json)');
  const tsc = spawnSync(process.execPath, [join(projectRoot, 'node_modules/typescript/bin/tsc'), '-p', join(projectRoot, 'tsconfig.build.json')], { stdio: 'inherit' });
  if (tsc.status !== 0) throw new Error('tsc failed');
  const server = spawn(process.execPath, [...profile, join(projectRoot, 'dist/src/server.js')], {
    cwd: projectRoot,
    env: {
      ...process.env,
      DATABASE_URL: db.poolUrl,
      TOKEN_SECRET_KEY: await generateSecretKey(),
      PORT: String(port),
      DB_POOL_SIZE: String(poolSize),
      LOG_LEVEL: 'info', // one JSON line per request, as in production (to /dev/null here)
      // Seeding signs up thousands of users: cheap hashes, since login speed is not what is measured.
      ARGON2_MEMORY_KIB: '1024',
      ARGON2_TIME_COST: '1',
      ARGON2_PARALLELISM: '1',
      LOGIN_RATE_LIMIT_PER_IP: '1000000',
      NODE_ENV: 'production',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const pool = createPool(db.poolUrl, { max: poolSize });
  const baselinePool = createPool(db.poolUrl, { max: baselinePoolSize });
  let exitCode = 0;
  try {
    const request = createClient(base, connections);
    for (let i = 0; ; i++) {
      try {
        if ((await request('GET', '/readyz')).status === 200) break;
      } catch {
        /* not up yet */
      }
      if (i > 200) throw new Error('the server did not become ready');
      await new Promise((r) => setTimeout(r, 100));
    }
    log(`server pid ${server.pid} ready at ${base}`);

    // Seed through the real API: users, logins, accounts (one per currency per user), deposits.
    const userCount = Math.ceil(accountCount / CURRENCIES.length);
    const users = Array.from({ length: userCount }, (_, i) => ({ username: `bench_${i}`, token: '' }));
    await each('sign-ups', users, connections, async (u) => {
      const r = await request('POST', '/users', { username: u.username, full_name: 'Bench', email: `${u.username}@bench.example`, password: 'bench-password' });
      if (r.status !== 201) throw new Error(`sign-up: ${r.status} ${r.body}`);
    });
    await grantBanker(pool, 'bench_0');
    await each('logins', users, connections, async (u) => {
      const r = await request('POST', '/users/login', { username: u.username, password: 'bench-password' });
      if (r.status !== 200) throw new Error(`login: ${r.status} ${r.body}`);
      u.token = JSON.parse(r.body).access_token;
    });
    const slots = Array.from({ length: accountCount }, (_, i) => ({ user: users[i % userCount]!, currency: CURRENCIES[Math.floor(i / userCount)]! }));
    const accounts: { id: number; token: string; currency: string }[] = [];
    await each('accounts', slots, connections, async (s) => {
      const r = await request('POST', '/accounts', { currency: s.currency }, s.user.token);
      if (r.status !== 201) throw new Error(`account: ${r.status} ${r.body}`);
      accounts.push({ id: JSON.parse(r.body).id, token: s.user.token, currency: s.currency });
    });
    const banker = users[0]!.token;
    await each('deposits', accounts, connections, async (a) => {
      const r = await request('POST', '/deposits', { account_id: a.id, amount: 100_000_000 }, banker);
      if (r.status !== 201) throw new Error(`deposit: ${r.status} ${r.body}`);
    });
    await pool.query('ANALYZE');

    const byCurrency = new Map<string, typeof accounts>();
    for (const a of accounts) byCurrency.set(a.currency, [...(byCurrency.get(a.currency) ?? []), a]);
    const pick = <T>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)]!;
    const spreadPair = () => {
      const from = pick(accounts);
      const peers = byCurrency.get(from.currency)!;
      let to = pick(peers);
      while (to.id === from.id) to = pick(peers);
      return { from, to };
    };
    const usd = byCurrency.get('USD')!;
    const hotA = usd[0]!;
    const hotB = usd[1]!;
    const hotPair = () => (Math.random() < 0.5 ? { from: hotA, to: hotB } : { from: hotB, to: hotA });
    const amount = () => 1 + Math.floor(Math.random() * 100);

    // Every phase starts from the same state: dead row versions of the last one vacuumed away.
    const settle = () => pool.query('VACUUM (ANALYZE) accounts, transfers, entries');
    const label = (err: unknown) => (err instanceof DomainError ? err.code : ((err as { code?: string }).code ?? 'error'));
    const phases: PhaseResult[] = [];
    let peakRss = 0;
    const sampler = setInterval(() => {
      try {
        peakRss = Math.max(peakRss, rssOf(server.pid!, 'VmRSS'));
      } catch {
        /* gone */
      }
    }, 250);
    for (const w of workload === 'both' ? ['spread', 'hot'] : [workload]) {
      const pair = w === 'hot' ? hotPair : spreadPair;
      log(`workload ${w}`);
      await settle();
      phases.push(await drive(`${w} TransferTx in-process`, connections, duration, async () => {
        const { from, to } = pair();
        try {
          await transfer(pool, { fromAccountId: from.id, toAccountId: to.id, amount: amount(), currency: from.currency });
          return 'ok';
        } catch (err) {
          return label(err);
        }
      }));
      await settle();
      const cpuBefore = cpuMsOf(server.pid!);
      const httpPhase = await drive(`${w} HTTP POST /transfers`, connections, duration, async () => {
        const { from, to } = pair();
        const r = await request('POST', '/transfers', { from_account_id: from.id, to_account_id: to.id, amount: amount(), currency: from.currency }, from.token);
        return String(r.status);
      });
      httpPhase.serverCpuMsPerRequest = (cpuMsOf(server.pid!) - cpuBefore) / Object.values(httpPhase.statuses).reduce((a, b) => a + b, 0);
      phases.push(httpPhase);
      // Last: its pile-up of FOR KEY SHARE lockers (foreign-key checks before the row locks) leaves
      // MultiXact state on hot rows that slows whatever runs next for a while.
      await settle();
      phases.push(await drive(`${w} simplebank-style`, connections, duration, async () => {
        const { from, to } = pair();
        try {
          await simplebankTransfer(baselinePool, from.id, to.id, amount(), from.currency);
          return 'ok';
        } catch (err) {
          return label(err);
        }
      }));
      for (const p of phases.slice(-3)) log(`  ${p.name}: ${p.perSecond.toFixed(0)}/s, p50 ${p.p50.toFixed(1)} ms, p99 ${p.p99.toFixed(1)} ms ${JSON.stringify(p.statuses)}`);
    }
    clearInterval(sampler);
    const peakHwm = rssOf(server.pid!, 'VmHWM');

    log('checking the ledger invariants');
    const ledger = await verifyLedger(pool);
    const { rows: [pg] } = await pool.query<{ version: string; fsync: string; sc: string }>(
      "SELECT current_setting('server_version') AS version, current_setting('fsync') AS fsync, current_setting('synchronous_commit') AS sc",
    );
    const { rows: [dl] } = await pool.query<{ deadlocks: string }>('SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()');

    const find = (w: string, kind: string) => phases.find((p) => p.name === `${w} ${kind}`);
    const ratios: Record<string, number> = {};
    for (const w of ['spread', 'hot']) {
      const http = find(w, 'HTTP POST /transfers');
      if (!http) continue;
      ratios[`${w}: HTTP / simplebank-style`] = http.perSecond / find(w, 'simplebank-style')!.perSecond;
      ratios[`${w}: HTTP / in-process TransferTx`] = http.perSecond / find(w, 'TransferTx in-process')!.perSecond;
    }
    const fivexx = phases.filter((p) => p.name.includes('HTTP')).reduce((n, p) => n + Object.entries(p.statuses).filter(([s]) => s.startsWith('5')).reduce((m, [, c]) => m + c, 0), 0);
    const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, PostgreSQL ${pg!.version} (fsync ${pg!.fsync}, synchronous_commit ${pg!.sc})`;
    const result = {
      at: new Date().toISOString(),
      machine,
      settings: { connections, duration, accounts: accountCount, serverPool: poolSize, baselinePool: baselinePoolSize },
      phases,
      ratios,
      serverPeakRssMb: { underLoad: Math.round(peakRss), sinceStart: Math.round(peakHwm) },
      fivexx,
      deadlocks: Number(dl!.deadlocks),
      ledger: { ok: ledger.ok, violations: ledger.violations, counts: ledger.counts },
    };

    const md = [
      `Measured ${result.at} on ${machine}; ${connections} connections, ${duration} s per phase, ${accountCount} accounts; pool ${poolSize} for the service and the in-process TransferTx, ${baselinePoolSize} for the simplebank-style baseline (one connection per concurrent request, as Go's database/sql opens them).`,
      '',
      '| workload | path | transfers/s | p50 ms | p95 ms | p99 ms | outcomes | load-generator CPU | server CPU / request |',
      '|---|---|---:|---:|---:|---:|---|---:|---:|',
      ...phases.map((p) => {
        const [w, ...rest] = p.name.split(' ');
        return `| ${w} | ${rest.join(' ')} | ${p.perSecond.toFixed(0)} | ${p.p50.toFixed(1)} | ${p.p95.toFixed(1)} | ${p.p99.toFixed(1)} | ${Object.entries(p.statuses).map(([s, c]) => `${s}: ${c}`).join(', ')} | ${((p.loadGenCpuShare ?? 0) * 100).toFixed(0)}% of a core | ${p.serverCpuMsPerRequest ? `${p.serverCpuMsPerRequest.toFixed(2)} ms` : '–'} |`;
      }),
      '',
      ...Object.entries(ratios).map(([k, v]) => `- ${k}: **${v.toFixed(2)}×**`),
      `- server peak RSS under load: ${result.serverPeakRssMb.underLoad} MB (since start: ${result.serverPeakRssMb.sinceStart} MB); 5xx: ${fivexx}; deadlocks: ${result.deadlocks}`,
      `- ledger after the run: ${ledger.ok ? 'all invariants hold' : `${ledger.violations.length} VIOLATIONS`} (${ledger.counts.transfers} transfers, ${ledger.counts.accounts} accounts)`,
      '',
    ].join('\n');
    console.log('\n' + md);
    await mkdir(join(projectRoot, 'bench/results'), { recursive: true });
    await writeFile(join(projectRoot, 'bench/results/latest.json'), JSON.stringify(result, null, 2) + '\n');
    await writeFile(join(projectRoot, 'bench/results/latest.md'), md);
    log('wrote bench/results/latest.json and bench/results/latest.md');
    if (!ledger.ok) {
      for (const v of ledger.violations.slice(0, 20)) console.error(`VIOLATION ${v}`);
      exitCode = 1;
    }
    if (fivexx > 0) {
      console.error(`[bench] ${fivexx} responses were 5xx`);
      exitCode = 1;
    }
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    await pool.end();
    await baselinePool.end();
    await db.drop();
  }
  return exitCode;
}

main().then((c) => process.exit(c), (err) => {
  console.error(`[bench] FAILED: ${err instanceof Error ? err.stack : String(err)}`);
  process.exit(1);
});
