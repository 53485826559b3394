import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '../../scripts/free-port.js';
import { PGBOUNCER_BIN, startPgBouncer } from '../../scripts/pgbouncer.js';
import { projectRoot } from '../../src/platform/paths.js';
import { createClient, untilReady } from '../http.js';
import { drive } from '../stats.js';
import type { BenchContext } from './context.js';

export interface PoolerResult {
  pooler?: { name: string; perSecond: number; p50: number; p99: number; statuses: Record<string, number> }[];
  poolerSkipped?: string;
}

// Past one database: the same spread load on this server (direct), on a second server whose
// DATABASE_URL is PgBouncer in transaction mode, and on two such servers sharing the load.
export async function poolerPhase(ctx: BenchContext): Promise<PoolerResult> {
  const { db, serverEnv, connections, request, spreadPair, amount, settle, duration, log } = ctx;
  let pooler: PoolerResult['pooler'];
  let poolerSkipped: string | undefined;
  if (!PGBOUNCER_BIN) {
    poolerSkipped = 'PgBouncer is not installed (apt-get install -y pgbouncer): the pooler phases were not run';
    log(poolerSkipped);
  } else {
    const u = new URL(db.url);
    const bouncer = await startPgBouncer({
      host: u.hostname,
      port: Number(u.port),
      dbname: u.pathname.slice(1),
      user: decodeURIComponent(u.username),
      password: decodeURIComponent(u.password) || undefined,
    });
    const pooled: ReturnType<typeof spawn>[] = [];
    try {
      const bases: string[] = [];
      for (let r = 0; r < 2; r++) {
        const p = await freePort();
        pooled.push(
          spawn(process.execPath, [join(projectRoot, 'dist/src/server.js')], {
            cwd: projectRoot,
            env: {
              ...serverEnv,
              PORT: String(p),
              METRICS_PORT: String(await freePort()),
              DATABASE_URL: bouncer.transactionUrl,
              DATABASE_SESSION_URL: db.url,
            },
            stdio: ['ignore', 'ignore', 'inherit'],
          }),
        );
        bases.push(`http://127.0.0.1:${p}`);
      }
      const clients = bases.map((b) => createClient(b, connections));
      for (const c of clients) await untilReady(c, 'a pooled server');
      const spreadOn = (pickClient: (i: number) => typeof request) => async (i: number) => {
        const { from, to } = spreadPair();
        const r = await pickClient(i)(
          'POST',
          '/transfers',
          { from_account_id: from.id, to_account_id: to.id, amount: amount(), currency: from.currency },
          from.token,
        );
        return String(r.status);
      };
      pooler = [];
      const runs: [string, (i: number) => typeof request][] = [
        ['direct (one server)', () => request],
        ['PgBouncer, transaction mode (one server)', () => clients[0]!],
        ['PgBouncer, transaction mode (two servers)', (i) => clients[i % 2]!],
      ];
      for (const [name, pickClient] of runs) {
        await settle();
        let i = 0;
        const op = spreadOn(pickClient);
        const r = await drive(`spread ${name} @${connections}`, connections, duration, () => op(i++));
        pooler.push({ name, perSecond: r.perSecond, p50: r.p50, p99: r.p99, statuses: r.statuses });
        log(
          `  spread ${name}: ${r.perSecond.toFixed(0)}/s, p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms ${JSON.stringify(r.statuses)}`,
        );
      }
    } finally {
      for (const p of pooled) p.kill('SIGTERM');
      await Promise.all(pooled.map((p) => (p.exitCode === null ? new Promise((r) => p.once('exit', r)) : undefined)));
      await bouncer.stop();
    }
  }
  return { pooler, poolerSkipped };
}
