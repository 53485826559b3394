// The budget of a feature (bench/README.md): this commit against main before it, side by side.
//
//   npm run bench:budget -- --against <git ref> [--rounds 4] [--duration 8] [--connections 32]
//
// Both commits are checked out in worktrees of their own (git worktree, under the system's temp
// directory), each installed with `npm ci`, and each runs its own `bench/run.ts` with the same flags
// (`--phases curve,hot --curve N`: spread and hot at N connections, seeded through the API), in
// alternating order round by round, so that the machine's drift falls on both. Every run gets a fresh
// cluster of the system's PostgreSQL started here with the same settings, handed to the commit's bench
// as DATABASE_URL: a commit whose bench predates the system server (it would start an embedded one)
// is measured on the same server as the others. Without the system binaries (or with --own-server)
// each commit's bench picks its server itself. Printed: each round's figures, the medians, the ratios of medians, and the verdict against the
// budget (spread at most 10 % slower; hot within noise: the median inside the range main-before's own
// runs spread over). The working tree's uncommitted changes are not measured: HEAD is.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../src/platform/paths.js';
import { SYSTEM_POSTGRES_BIN, startSystemPostgres } from './system-postgres.js';

const HELP = `npm run bench:budget -- --against REF [flags]
  --against REF       the commit to compare HEAD with (main before the feature), any git ref
  --head REF[,REF…]   the commits measured against it (default HEAD: the feature); several are run in
                      the same rotation (e.g. the feature and variants of it)
  --rounds N          runs of each commit, alternating (default 4)
  --duration S        seconds per phase (default 8)
  --connections N     connections of both phases (default 32)
  --own-server        let each commit's bench start its own server (default: a fresh cluster of the
                      system's PostgreSQL per run, started here, the same for every commit)
  --keep              leave the worktrees (their paths are printed)
  --help              this text`;

const argv = process.argv.slice(2);
const flag = (name: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const log = (m: string) => console.error(`[budget] ${m}`);

interface Figures {
  perSecond: number;
  p99: number;
  dbCpuMsPerTransfer?: number;
  walBytesPerTransfer?: number;
}
interface Run {
  spread: Figures;
  hot: Figures;
}

function git(args: string[], cwd = projectRoot): string {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr.trim()}`);
  return r.stdout.trim();
}

function runIn(cwd: string, command: string, args: string[], env?: NodeJS.ProcessEnv): void {
  // Their output (progress) goes to stderr: stdout is the report alone.
  const r = spawnSync(command, args, { cwd, stdio: ['ignore', 2, 'inherit'], ...(env ? { env } : {}) });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} in ${cwd} exited ${r.status}`);
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

async function main(): Promise<number> {
  const against = flag('--against');
  if (argv.includes('--help') || argv.includes('-h') || !against) {
    console.log(HELP);
    return against ? 0 : 2;
  }
  const rounds = Number(flag('--rounds') ?? 4);
  const duration = Number(flag('--duration') ?? 8);
  const connections = Number(flag('--connections') ?? 32);
  for (const [name, v] of [
    ['--rounds', rounds],
    ['--duration', duration],
    ['--connections', connections],
  ] as const)
    if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a positive integer`);

  const headRefs = (flag('--head') ?? 'HEAD').split(',').filter(Boolean);
  const sides = [...headRefs, against].map((name) => ({ name, commit: git(['rev-parse', '--verify', `${name}^{commit}`]) }));
  if (headRefs.includes('HEAD') && git(['status', '--porcelain', '--untracked-files=no']) !== '')
    log('the working tree has uncommitted changes: they are not measured (HEAD is)');
  const sharedServer = !argv.includes('--own-server') && !process.env.DATABASE_URL && existsSync(SYSTEM_POSTGRES_BIN);
  log(
    sharedServer
      ? `every run on a fresh cluster of ${SYSTEM_POSTGRES_BIN}, started here`
      : "each commit's bench starts its own server (compare only commits whose benches pick the same one)",
  );
  const root = await mkdtemp(join(tmpdir(), 'simplebank-budget-'));
  const trees = sides.map((s, i) => ({ ...s, dir: join(root, `side-${i}`), runs: [] as Run[] }));
  try {
    for (const t of trees) {
      log(`worktree of ${t.name} (${t.commit.slice(0, 9)}) at ${t.dir}; npm ci there`);
      git(['worktree', 'add', '--detach', t.dir, t.commit]);
      runIn(t.dir, 'npm', ['ci', '--no-audit', '--no-fund']);
    }
    for (let round = 1; round <= rounds; round++) {
      // The order turns each round (and reverses every other), so no side always runs first or last.
      const turned = [...trees.slice((round - 1) % trees.length), ...trees.slice(0, (round - 1) % trees.length)];
      const order = round % 2 ? turned : turned.reverse();
      for (const t of order) {
        log(`round ${round}/${rounds}: ${t.name}`);
        const results = join(t.dir, 'bench/results/latest.json');
        await rm(results, { force: true });
        const server = sharedServer ? await startSystemPostgres(SYSTEM_POSTGRES_BIN, log) : undefined;
        try {
          runIn(
            t.dir,
            process.execPath,
            [
              '--import',
              'tsx',
              'bench/run.ts',
              '--phases',
              'curve,hot',
              '--curve',
              String(connections),
              '--connections',
              String(connections),
              '--duration',
              String(duration),
              '--save',
            ],
            server ? { ...process.env, DATABASE_URL: server.url } : undefined,
          );
        } finally {
          server?.stop();
        }
        if (!existsSync(results)) throw new Error(`${t.name}'s bench wrote no ${results}`);
        const json = JSON.parse(await readFile(results, 'utf8')) as {
          phases: (Figures & { workload: string; connections: number })[];
        };
        const phase = (w: string) => {
          const p = json.phases.find((x) => x.workload === w && x.connections === connections);
          if (!p) throw new Error(`${t.name}'s bench has no ${w} phase at ${connections} connections`);
          return p;
        };
        const run = { spread: phase('spread'), hot: phase('hot') };
        t.runs.push(run);
        log(`  ${t.name}: spread ${run.spread.perSecond.toFixed(0)}/s, hot ${run.hot.perSecond.toFixed(0)}/s`);
      }
    }
  } finally {
    if (argv.includes('--keep')) log(`worktrees kept under ${root}`);
    else {
      for (const t of trees) if (existsSync(t.dir)) git(['worktree', 'remove', '--force', t.dir]);
      await rm(root, { recursive: true, force: true });
    }
  }

  const base = trees.at(-1)!;
  const heads = trees.slice(0, -1);
  const n = (v: number | undefined, d = 0) =>
    v === undefined || !Number.isFinite(v) ? '–' : v.toLocaleString('en', { maximumFractionDigits: d });
  const med = (t: (typeof trees)[number], get: (r: Run) => number | undefined) => {
    const xs = t.runs.map(get).filter((v): v is number => v !== undefined && Number.isFinite(v));
    return xs.length ? median(xs) : undefined;
  };
  const row = (label: string, get: (r: Run) => number | undefined, d = 0) =>
    `| ${label} | ${trees.map((t) => `${t.runs.map((r) => n(get(r), d)).join(' · ')} (median ${n(med(t, get), d)})`).join(' | ')} | ${heads
      .map((h) => {
        const [a, b] = [med(h, get), med(base, get)];
        return a !== undefined && b !== undefined ? (a / b).toFixed(2) : '–';
      })
      .join(' · ')} |`;
  const baseHot = base.runs.map((r) => r.hot.perSecond);
  const verdicts = heads.flatMap((h) => {
    const spreadRatio = med(h, (r) => r.spread.perSecond)! / med(base, (r) => r.spread.perSecond)!;
    const hot = med(h, (r) => r.hot.perSecond)!;
    return [
      `${h.name}: spread ${spreadRatio.toFixed(2)} of ${base.name} (budget ≥ 0.90): ${spreadRatio >= 0.9 ? 'met' : 'NOT met'}; ` +
        `hot median ${n(hot)}/s against ${base.name}'s runs ${n(Math.min(...baseHot))}–${n(Math.max(...baseHot))}/s ` +
        `(budget: within that range or above): ${hot >= Math.min(...baseHot) ? 'met' : 'NOT met'}`,
    ];
  });
  console.log(
    [
      `${heads.map((h) => `${h.name} (${h.commit.slice(0, 9)})`).join(', ')} against ${base.name} (${base.commit.slice(0, 9)}): ` +
        `${rounds} runs each, in turn; ${connections} connections, ${duration} s per phase.`,
      '',
      `|  | ${trees.map((t) => t.name).join(' | ')} | ratio of medians to ${base.name} |`,
      `|---|${trees.map(() => '---|').join('')}---:|`,
      row('spread, movements/s', (r) => r.spread.perSecond),
      row('hot, movements/s', (r) => r.hot.perSecond),
      row('spread p99, ms', (r) => r.spread.p99, 1),
      row('hot p99, ms', (r) => r.hot.p99, 1),
      row('WAL per spread movement, B', (r) => r.spread.walBytesPerTransfer),
      row('WAL per hot movement, B', (r) => r.hot.walBytesPerTransfer),
      row('Postgres CPU per spread movement, ms', (r) => r.spread.dbCpuMsPerTransfer, 3),
      row('Postgres CPU per hot movement, ms', (r) => r.hot.dbCpuMsPerTransfer, 3),
      '',
      ...verdicts,
    ].join('\n'),
  );
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    console.error(err.stack ?? err.message);
    process.exit(1);
  },
);
