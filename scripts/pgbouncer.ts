// Debian's PgBouncer as a process of our own (tests/cluster/, the benchmark): an ini written here, in
// front of one PostgreSQL database, with a transaction-mode entry `bank` and a session-mode entry
// `bank_session`. As root it runs as the OS user `postgres` (PgBouncer refuses root).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './free-port.js';

export const PGBOUNCER_BIN = ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer'].find((p) => existsSync(p));
const asRoot = process.getuid?.() === 0;

/** argv as the engines' OS user (`postgres` when we are root). */
export function asPostgres(argv: string[]): [string, string[]] {
  return asRoot ? ['runuser', ['-u', 'postgres', '--', ...argv]] : [argv[0]!, argv.slice(1)];
}

export interface PgBouncerTarget {
  host: string;
  port: number;
  dbname: string;
  /** Credentials PgBouncer logs in with (clients then authenticate to PgBouncer with any password). */
  user: string;
  password?: string;
}

export interface PgBouncer {
  port: number;
  /** The transaction-mode entry, and the session-mode one. */
  transactionUrl: string;
  sessionUrl: string;
  /** A command on the admin console (RELOAD, RECONNECT, SHOW POOLS, …). */
  admin(command: string): Promise<void>;
  /** Points both entries at another server, without a restart (RELOAD, then RECONNECT). */
  repoint(target: PgBouncerTarget): Promise<void>;
  stop(): Promise<void>;
}

export async function startPgBouncer(target: PgBouncerTarget, opts: { dir?: string } = {}): Promise<PgBouncer> {
  if (!PGBOUNCER_BIN) throw new Error('pgbouncer is not installed (apt-get install -y pgbouncer; scripts/install-system-deps.sh)');
  const dir = opts.dir ?? (await mkdtemp(join(tmpdir(), 'simplebank-pgbouncer-')));
  await mkdir(dir, { recursive: true });
  await chmod(dir, 0o777);
  const port = await freePort();
  const ini = (t: PgBouncerTarget) => {
    const server = `host=${t.host} port=${t.port} dbname=${t.dbname} user=${t.user}${t.password ? ` password=${t.password}` : ''}`;
    return [
      '[databases]',
      `bank = ${server} pool_mode=transaction`,
      `bank_session = ${server} pool_mode=session`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      "unix_socket_dir = ''",
      // Clients are local processes of ours: no client authentication; PgBouncer logs in as `user`.
      'auth_type = any',
      `admin_users = ${t.user}`,
      'pool_mode = transaction',
      'default_pool_size = 20',
      'max_client_conn = 1000',
      'server_login_retry = 1',
      'server_connect_timeout = 3',
      'query_wait_timeout = 8',
      // dbmate (Go's lib/pq) sends extra_float_digits at startup; the service's own pool sends none.
      'ignore_startup_parameters = extra_float_digits',
      `logfile = ${join(dir, 'pgbouncer.log')}`,
      '',
    ].join('\n');
  };
  const iniPath = join(dir, 'pgbouncer.ini');
  await writeFile(iniPath, ini(target), { mode: 0o644 });
  const [cmd, args] = asPostgres([PGBOUNCER_BIN, iniPath]);
  const child: ChildProcess = spawn(cmd, args, { stdio: 'ignore' });
  const url = (db: string) => `postgres://${target.user}@127.0.0.1:${port}/${db}?sslmode=disable`;
  const admin = async (command: string) => {
    const c = new pg.Client({ connectionString: url('pgbouncer') }); // simple protocol only there
    await c.connect();
    try {
      await c.query(command);
    } finally {
      await c.end().catch(() => {});
    }
  };
  for (let i = 0; ; i++) {
    try {
      const c = new pg.Client({ connectionString: url('bank'), connectionTimeoutMillis: 1_000 });
      await c.connect();
      await c.query('SELECT 1');
      await c.end();
      break;
    } catch (err) {
      if (child.exitCode !== null || i > 100) throw new Error(`PgBouncer did not start: ${(err as Error).message}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    port,
    transactionUrl: url('bank'),
    sessionUrl: url('bank_session'),
    admin,
    async repoint(next) {
      await writeFile(iniPath, ini(next));
      await admin('RELOAD');
      await admin('RECONNECT');
    },
    async stop() {
      child.kill('SIGTERM');
      if (child.exitCode === null) await new Promise((r) => child.once('exit', r));
      if (!opts.dir) await rm(dir, { recursive: true, force: true });
      spawnSync('true');
    },
  };
}
