// The database's own limit for a transfer, measured by pgbench on the same server in the same run:
// the reference designs of bench/pgbench/reference/, written for this project's schema (A: the Go
// simplebank transaction, 7 round trips; C: one plpgsql call per transfer; D: 16 transfers per call).
// They run in a database of their own (`pgbench_ref`, migrated and seeded like the ledger's), never
// the service's, over the same Unix socket the service's pool uses.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { percentile } from './stats.js';

export interface PgbenchTools {
  pgbench: string;
  psql: string;
  scripts: string;
}

export interface PgbenchResult {
  name: string;
  design: string;
  workload: 'spread' | 'hot';
  clients: number;
  /** Transfers per second (for D: rows added to `transfers` ÷ seconds; its tps counts calls). */
  perSecond: number;
  latencyAvgMs: number;
  /** Per-transaction latency percentiles (ms) from pgbench's own log (-l), where measured. */
  p50Ms?: number;
  p99Ms?: number;
  failed: number;
  /** Postgres CPU per transfer (pgbench itself not included), where measured. */
  dbCpuMsPerTransfer?: number;
}

const SCRIPTS: Record<string, string> = {
  A: 'A_naive_simplebank.sql',
  C: 'C_stored_function.sql',
  D: 'D_batch_function.sql',
};

function findBinary(name: string): string | undefined {
  const onPath = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim();
  if (onPath) return onPath;
  // Debian's postgresql-NN packages keep pgbench beside the server binaries, off PATH.
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  for (const v of readdirSync(root).sort().reverse()) {
    const p = join(root, v, 'bin', name);
    if (existsSync(p)) return p;
  }
  return undefined;
}

/** pgbench, psql and the reference scripts, or why they cannot be used. */
export function findPgbench(scriptsDir: string): PgbenchTools | string {
  const pgbench = findBinary('pgbench');
  const psql = findBinary('psql');
  if (!pgbench || !psql) return `pgbench or psql not found (Debian: apt-get install postgresql-15 postgresql-client-15)`;
  if (!existsSync(join(scriptsDir, 'schema.sql'))) return `no pgbench reference scripts in ${scriptsDir} (--pgbench-dir)`;
  return { pgbench, psql, scripts: scriptsDir };
}

function psql(tools: PgbenchTools, url: string, args: string[]): void {
  const r = spawnSync(tools.psql, [url, '-q', '-v', 'ON_ERROR_STOP=1', ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`psql ${args.join(' ')} failed: ${r.stderr}`);
}

/** The reference database: this project's schema (migrated), 10,000 funded accounts, the designs' functions. Returns the first account id. */
export async function preparePgbench(tools: PgbenchTools, url: string, migrate: (url: string) => Promise<void>): Promise<number> {
  const lo = await prepareLedgerRef(tools, url, migrate);
  psql(tools, url, ['-f', join(tools.scripts, 'schema.sql')]);
  return lo;
}

/**
 * pgbench for `seconds` at `clients` with `script` and its -D variables: its output, and every
 * transaction's latency (ms, sorted) from its own per-transaction log (-l: one file per thread, the
 * latency in µs the third field).
 */
function pgbenchRun(
  tools: PgbenchTools,
  url: string,
  script: string,
  clients: number,
  seconds: number,
  vars: Record<string, string | number>,
): { status: number | null; out: string; num: (re: RegExp) => number; latencies: number[] } {
  const logDir = mkdtempSync(join(tmpdir(), 'simplebank-pgbench-'));
  try {
    const r = spawnSync(
      tools.pgbench,
      [
        '-n',
        '-l',
        `--log-prefix=${join(logDir, 'tx')}`,
        '-M',
        'prepared',
        '-T',
        String(seconds),
        '-c',
        String(clients),
        '-j',
        String(Math.min(clients, 2)),
        ...Object.entries(vars).flatMap(([k, v]) => ['-D', `${k}=${v}`]),
        '-f',
        script,
        url,
      ],
      { encoding: 'utf8' },
    );
    const out = `${r.stdout}\n${r.stderr}`;
    const latencies: number[] = [];
    for (const f of readdirSync(logDir)) {
      for (const line of readFileSync(join(logDir, f), 'utf8').split('\n')) {
        const us = Number(line.split(' ')[2]);
        if (line && Number.isFinite(us)) latencies.push(us / 1000);
      }
    }
    latencies.sort((a, b) => a - b);
    return { status: r.status, out, num: (re) => Number(re.exec(out)?.[1] ?? Number.NaN), latencies };
  } finally {
    rmSync(logDir, { recursive: true, force: true });
  }
}

const percentiles = (latencies: number[]) =>
  latencies.length ? { p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99) } : {};

/** One design × workload at `clients`, from the same reset state and a CHECKPOINT, as run.sh does. */
export function runPgbench(
  tools: PgbenchTools,
  url: string,
  lo: number,
  design: string,
  workload: 'spread' | 'hot',
  clients: number,
  seconds: number,
): PgbenchResult {
  psql(tools, url, ['-f', join(tools.scripts, 'reset.sql')]);
  psql(tools, url, ['-c', 'CHECKPOINT']);
  const naccounts = workload === 'spread' ? 10_000 : 2;
  const { out, num, latencies } = pgbenchRun(tools, url, join(tools.scripts, SCRIPTS[design]!), clients, seconds, { naccounts, lo });
  let perSecond = num(/^tps = ([0-9.]+)/m);
  if (design === 'D') {
    const c = spawnSync(tools.psql, [url, '-At', '-c', 'SELECT count(*) FROM transfers'], { encoding: 'utf8' });
    perSecond = Number(c.stdout.trim()) / seconds;
  }
  if (!Number.isFinite(perSecond)) throw new Error(`pgbench ${design} ${workload} gave no figure:\n${out}`);
  return {
    name: `pgbench ${design} ${workload}`,
    design,
    workload,
    clients,
    perSecond,
    latencyAvgMs: num(/^latency average = ([0-9.]+) ms/m),
    ...percentiles(latencies),
    failed: num(/^number of failed transactions: (\d+)/m) || 0,
  };
}

/** The service's own ledger function under pgbench: a migrated, seeded database of its own. */
export async function prepareLedgerRef(tools: PgbenchTools, url: string, migrate: (url: string) => Promise<void>): Promise<number> {
  await migrate(url);
  psql(tools, url, ['-f', join(LEDGER_SCRIPTS, 'ledger_seed.sql')]);
  const r = spawnSync(tools.psql, [url, '-At', '-c', 'SELECT min(id) FROM accounts WHERE NOT is_funding'], { encoding: 'utf8' });
  return Number(r.stdout.trim());
}

const LEDGER_SCRIPTS = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, 'pgbench');

/** `batch` transfers per call of the ledger function (ledger_apply), straight from pgbench (no Node at all). */
export function runLedgerBatch(
  tools: PgbenchTools,
  url: string,
  lo: number,
  batch: number,
  workload: 'spread' | 'hot',
  clients: number,
  seconds: number,
  keyed = false,
): PgbenchResult {
  const count = () =>
    Number(spawnSync(tools.psql, [url, '-At', '-c', 'SELECT count(*) FROM transfers'], { encoding: 'utf8' }).stdout.trim());
  psql(tools, url, ['-c', 'VACUUM ANALYZE accounts, transfers, entries']);
  psql(tools, url, ['-c', 'CHECKPOINT']);
  const before = count();
  const { status, out, num, latencies } = pgbenchRun(tools, url, join(LEDGER_SCRIPTS, 'ledger_batch.sql'), clients, seconds, {
    naccounts: workload === 'spread' ? 10_000 : 2,
    lo,
    batch,
    keyed: keyed ? 1 : 0,
  });
  if (status !== 0) throw new Error(`pgbench ledger ${workload} failed:\n${out}`);
  return {
    name: `ledger function ×${batch}${keyed ? ' keyed' : ''} ${workload}`,
    design: `L${batch}${keyed ? 'k' : ''}`,
    workload,
    clients,
    perSecond: (count() - before) / seconds,
    latencyAvgMs: num(/^latency average = ([0-9.]+) ms/m),
    ...percentiles(latencies),
    failed: num(/^number of failed transactions: (\d+)/m) || 0,
  };
}

/**
 * The simplebank schema's references (`../shared/pgbench/`: plain tables, no domains, no composite
 * foreign keys, no balance_after): what the same designs cost on the Go project's schema, beside
 * this project's, on the same server in the same run. Their schema.sql (re)creates its tables in the
 * database it is given (one of its own) with 10,000 funded accounts from id 1.
 */
export function prepareSimplebankRef(tools: PgbenchTools, dir: string, url: string): void {
  psql(tools, url, ['-f', join(dir, 'schema.sql')]);
  psql(tools, url, ['-f', join(dir, 'D_schema.sql')]);
}

const SIMPLEBANK_SCRIPTS: Record<string, string> = {
  A: 'A_naive_simplebank.sql',
  C: 'C_stored_function.sql',
};

/** One simplebank-schema design × workload, from its reset state and a CHECKPOINT, as its run.sh does. */
export function runSimplebankRef(
  tools: PgbenchTools,
  dir: string,
  url: string,
  design: 'A' | 'C',
  workload: 'spread' | 'hot',
  clients: number,
  seconds: number,
): PgbenchResult {
  psql(tools, url, ['-f', join(dir, 'reset.sql')]);
  psql(tools, url, ['-c', 'CHECKPOINT']);
  const { out, num, latencies } = pgbenchRun(tools, url, join(dir, SIMPLEBANK_SCRIPTS[design]!), clients, seconds, {
    naccounts: workload === 'spread' ? 10_000 : 2,
  });
  const perSecond = num(/^tps = ([0-9.]+)/m);
  if (!Number.isFinite(perSecond)) throw new Error(`pgbench simplebank ${design} ${workload} gave no figure:\n${out}`);
  return {
    name: `simplebank schema ${design} ${workload}`,
    design: `s${design}`,
    workload,
    clients,
    perSecond,
    latencyAvgMs: num(/^latency average = ([0-9.]+) ms/m),
    ...percentiles(latencies),
    failed: num(/^number of failed transactions: (\d+)/m) || 0,
  };
}
