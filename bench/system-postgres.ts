// A throwaway PostgreSQL cluster from the system's binaries (Debian's postgresql-15 by default): what
// the bench measures on unless told otherwise, since it is the PostgreSQL a platform team runs and the
// one an independent pgbench run uses. The settings are the embedded server's (shared_buffers 256MB,
// max_connections 200), fsync and synchronous_commit as PostgreSQL ships them: on. As root, the
// cluster runs as the OS user `postgres` (PostgreSQL refuses root).
import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../scripts/free-port.js';

export const SYSTEM_POSTGRES_BIN = '/usr/lib/postgresql/15/bin';

export interface SystemPostgres {
  /** A superuser's URL over TCP on 127.0.0.1. */
  url: string;
  stop(): void;
}

export async function startSystemPostgres(bin: string, log: (m: string) => void): Promise<SystemPostgres> {
  if (!existsSync(join(bin, 'pg_ctl'))) throw new Error(`no pg_ctl in ${bin} (--postgres-bin)`);
  const dir = mkdtempSync(join(tmpdir(), 'simplebank-bench-pg-'));
  const data = join(dir, 'data');
  const asRoot = userInfo().uid === 0;
  let uid = 0;
  let gid = 0;
  if (asRoot) {
    const id = (flag: string) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
    uid = id('-u');
    gid = id('-g');
    chownSync(dir, uid, gid);
  }
  const run = (cmd: string, args: string[]) => {
    const r = asRoot
      ? spawnSync('runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args], { encoding: 'utf8' })
      : spawnSync(join(bin, cmd), args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr || r.stdout}`);
  };
  const port = await freePort();
  log(`starting a temporary PostgreSQL from ${bin} on port ${port}`);
  run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C']);
  run('pg_ctl', [
    '-D',
    data,
    '-l',
    join(dir, 'server.log'),
    '-w',
    '-o',
    `-c listen_addresses=127.0.0.1 -c port=${port} -c unix_socket_directories=${dir} -c shared_buffers=256MB -c max_connections=200`,
    'start',
  ]);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres?sslmode=disable`,
    stop() {
      try {
        run('pg_ctl', ['-D', data, '-m', 'fast', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
