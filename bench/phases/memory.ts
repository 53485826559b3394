import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '../../scripts/free-port.js';
import { projectRoot } from '../../src/platform/paths.js';
import { scrapeMetrics } from '../breakdown.js';
import { createClient, untilReady } from '../http.js';
import { rssMbOf } from '../procs.js';
import { drive, type PhaseResult } from '../stats.js';
import { type BenchContext, each } from './context.js';

export interface HeapPolicyRow {
  name: string;
  perSecond: number;
  p99: number;
  peakRssMb: number;
  heapUsedMb: number;
}

// What the heap policy does (src/platform/heap.ts): two fresh servers, the default
// (HEAP_GROWING_PERCENT=50) and V8's own policy (0), the same spread load alternated, each
// one's peak RSS and throughput. Fresh, so that neither carries the main server's history.
export async function memoryPhase(ctx: BenchContext): Promise<HeapPolicyRow[]> {
  const { serverEnv, connections, users, duration, spreadVia, settle, log } = ctx;
  const variants: [string, NodeJS.ProcessEnv][] = [
    ['HEAP_GROWING_PERCENT=50 (default)', {}],
    ["HEAP_GROWING_PERCENT=0 (V8's own)", { HEAP_GROWING_PERCENT: '0' }],
  ];
  const servers = await Promise.all(
    variants.map(async ([name, env]) => {
      const p = await freePort();
      const m = await freePort();
      const proc = spawn(process.execPath, [join(projectRoot, 'dist/src/server.js')], {
        cwd: projectRoot,
        env: { ...serverEnv, PORT: String(p), METRICS_PORT: String(m), ...env },
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      return {
        name,
        proc,
        send: createClient(`http://127.0.0.1:${p}`, connections),
        metrics: `http://127.0.0.1:${m}/metrics`,
        peak: 0,
        runs: [] as PhaseResult[],
      };
    }),
  );
  const rssSampler = setInterval(() => {
    for (const s of servers) {
      try {
        s.peak = Math.max(s.peak, rssMbOf(s.proc.pid!, 'VmRSS'));
      } catch {
        /* gone */
      }
    }
  }, 250);
  try {
    // The history the main server had: a burst of logins (seeding's), then transfers.
    for (const s of servers) {
      await untilReady(s.send, `the ${s.name} server`);
      await each(`${s.name}: logins`, users, connections, async (u) => {
        const r = await s.send('POST', '/users/login', { username: u.username, password: 'bench-password' });
        if (r.status !== 200) throw new Error(`login: ${r.status} ${r.body}`);
      });
      await drive(`warm-up, ${s.name} @${connections}`, connections, Math.min(duration, 4), spreadVia(s.send));
    }
    for (let round = 0; round < 2; round++) {
      for (const s of servers) {
        await settle();
        s.runs.push(await drive(`spread, ${s.name} @${connections}`, connections, duration, spreadVia(s.send)));
      }
    }
    const heapPolicy: HeapPolicyRow[] = [];
    for (const s of servers) {
      const best = s.runs.reduce((x, y) => (y.perSecond > x.perSecond ? y : x));
      const heapUsedMb = Math.round(((await scrapeMetrics(s.metrics)).get('nodejs_heap_size_used_bytes') ?? Number.NaN) / 2 ** 20);
      heapPolicy.push({ name: s.name, perSecond: best.perSecond, p99: best.p99, peakRssMb: Math.round(s.peak), heapUsedMb });
      log(`  ${s.name}: ${best.perSecond.toFixed(0)}/s, peak RSS ${Math.round(s.peak)} MB, heap in use at the end ${heapUsedMb} MB`);
    }
    return heapPolicy;
  } finally {
    clearInterval(rssSampler);
    for (const s of servers) s.proc.kill('SIGTERM');
    await Promise.all(servers.map((s) => (s.proc.exitCode === null ? new Promise((r) => s.proc.once('exit', r)) : undefined)));
  }
}
