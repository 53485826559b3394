// The topology a platform team gives a bank, built from real engines as processes on loopback: the
// system PostgreSQL 15 (a primary and a synchronous streaming standby made by pg_basebackup) and
// Debian's PgBouncer in front (a transaction-mode and a session-mode entry for the same database).
// As root, every engine runs as the OS user `postgres` (PostgreSQL and PgBouncer refuse root).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from '../../scripts/free-port.js';
import { asPostgres, PGBOUNCER_BIN, type PgBouncer, startPgBouncer } from '../../scripts/pgbouncer.js';

const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';
const asRoot = process.getuid?.() === 0;

/** What the machine must have: the project's .ci/run installs what is missing (scripts/install-system-deps.sh). */
export function missingEngines(): string[] {
  const missing: string[] = [];
  for (const b of ['initdb', 'pg_ctl', 'pg_basebackup', 'postgres']) if (!existsSync(join(PG_BIN, b))) missing.push(join(PG_BIN, b));
  if (!PGBOUNCER_BIN) missing.push('pgbouncer (apt-get install -y pgbouncer)');
  return missing;
}

function sh(argv: string[], env: Record<string, string> = {}): string {
  const [cmd, args] = asPostgres(argv);
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed (${r.status}): ${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

async function ownedDir(path: string): Promise<string> {
  await mkdir(path, { recursive: true });
  if (asRoot) {
    const id = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim();
    const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim();
    await chown(path, Number(id), Number(gid));
  }
  await chmod(path, 0o700);
  return path;
}

export interface Server {
  name: string;
  port: number;
  dataDir: string;
  url(db?: string): string;
}

function server(name: string, port: number, dataDir: string): Server {
  return { name, port, dataDir, url: (db = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${db}?sslmode=disable` };
}

export async function query<T extends pg.QueryResultRow>(url: string, text: string, values?: unknown[]): Promise<T[]> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  await c.connect();
  try {
    return (await c.query<T>(text, values)).rows;
  } finally {
    await c.end().catch(() => {});
  }
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const until = Date.now() + ms;
  let last: unknown;
  while (Date.now() < until) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} not within ${ms} ms${last ? `: ${(last as Error).message}` : ''}`);
}

export interface Topology {
  root: string;
  primary: Server;
  standby: Server;
  /** PgBouncer: `bank` in transaction mode, `bank_session` in session mode, both in front of the primary. */
  bouncer: PgBouncer;
  /** Kill -9 the primary's postmaster (and so its backends). */
  killPrimary(): void;
  /** `pg_ctl promote` the standby and wait until it accepts writes. */
  promoteStandby(): Promise<void>;
  /** Point PgBouncer at the standby (RELOAD its config, RECONNECT its pools), without a restart. */
  repointBouncer(): Promise<void>;
  stop(): Promise<void>;
}

const DB = 'simplebank';

export async function startTopology(): Promise<Topology> {
  const missing = missingEngines();
  if (missing.length)
    throw new Error(`the cluster tests need ${missing.join(', ')}; .ci/run installs them (scripts/install-system-deps.sh)`);
  const root = await mkdtemp(join(tmpdir(), 'simplebank-cluster-'));
  await chmod(root, 0o755);
  const primary = server('primary', await freePort(), await ownedDir(join(root, 'primary')));
  const standby = server('standby1', await freePort(), join(root, 'standby'));
  const logs = await ownedDir(join(root, 'logs'));

  // The primary: fsync and synchronous_commit on (the defaults), streaming replication allowed.
  sh([join(PG_BIN, 'initdb'), '-D', primary.dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-instructions']);
  await writeFile(
    join(primary.dataDir, 'postgresql.auto.conf'),
    [
      `port = ${primary.port}`,
      "listen_addresses = '127.0.0.1'",
      "unix_socket_directories = ''",
      'max_connections = 100',
      'wal_level = replica',
      'max_wal_senders = 5',
      'hot_standby = on',
      'fsync = on',
      'synchronous_commit = on',
      '',
    ].join('\n'),
  );
  await writeFile(join(primary.dataDir, 'pg_hba.conf'), 'host all all 127.0.0.1/32 trust\nhost replication all 127.0.0.1/32 trust\n');
  if (asRoot) spawnSync('chown', ['-R', 'postgres:postgres', primary.dataDir]);
  sh([join(PG_BIN, 'pg_ctl'), '-D', primary.dataDir, '-l', join(logs, 'primary.log'), '-w', 'start']);
  await query(primary.url(), `CREATE DATABASE ${DB}`);

  // The standby: a base backup that streams from the primary (-R writes primary_conninfo with its name).
  await ownedDir(standby.dataDir);
  sh([
    join(PG_BIN, 'pg_basebackup'),
    '-D',
    standby.dataDir,
    '-d',
    `host=127.0.0.1 port=${primary.port} user=postgres application_name=standby1`,
    '-R',
    '-X',
    'stream',
    '--checkpoint=fast',
  ]);
  await writeFile(join(standby.dataDir, 'postgresql.auto.conf'), `port = ${standby.port}\n`, { flag: 'a' });
  if (asRoot) spawnSync('chown', ['-R', 'postgres:postgres', standby.dataDir]);
  sh([join(PG_BIN, 'pg_ctl'), '-D', standby.dataDir, '-l', join(logs, 'standby.log'), '-w', 'start']);
  // Synchronous only now (set before the base backup, the standby would inherit it and wait for one of its own).
  await query(primary.url(), "ALTER SYSTEM SET synchronous_standby_names = 'FIRST 1 (standby1)'");
  await query(primary.url(), 'SELECT pg_reload_conf()');
  await waitFor('the standby in sync', async () => {
    const rows = await query<{ sync_state: string }>(primary.url(), 'SELECT sync_state FROM pg_stat_replication');
    return rows[0]?.sync_state === 'sync' ? true : undefined;
  });

  // PgBouncer 1.18 in front: transaction mode for the service's pool, session mode for LISTEN.
  const target = (srv: Server) => ({ host: '127.0.0.1', port: srv.port, dbname: DB, user: 'postgres' });
  const bouncer = await startPgBouncer(target(primary), { dir: join(root, 'pgbouncer') });

  return {
    root,
    primary,
    standby,
    bouncer,
    killPrimary() {
      const pid = spawnSync('head', ['-1', join(primary.dataDir, 'postmaster.pid')], { encoding: 'utf8' }).stdout.trim();
      if (!pid) throw new Error('the primary is not running');
      // The whole server at once, as a lost machine: its backends first (a postmaster killed alone
      // leaves them to notice), then the postmaster.
      spawnSync('pkill', ['-9', '-P', pid]);
      process.kill(Number(pid), 'SIGKILL');
    },
    async promoteStandby() {
      sh([join(PG_BIN, 'pg_ctl'), '-D', standby.dataDir, '-w', 'promote']);
      await waitFor('the promoted standby to accept writes', async () => {
        const rows = await query<{ r: boolean }>(standby.url(), 'SELECT pg_is_in_recovery() AS r');
        return rows[0]?.r === false ? true : undefined;
      });
    },
    repointBouncer: () => bouncer.repoint(target(standby)),
    async stop() {
      await bouncer.stop().catch(() => {});
      for (const s of [primary, standby]) {
        if (existsSync(join(s.dataDir, 'postmaster.pid'))) {
          const [c, a] = asPostgres([join(PG_BIN, 'pg_ctl'), '-D', s.dataDir, '-m', 'immediate', 'stop']);
          spawnSync(c, a, { timeout: 20_000 });
        }
      }
      await rm(root, { recursive: true, force: true });
    },
  };
}
