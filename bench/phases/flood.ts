import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '../../scripts/free-port.js';
import { projectRoot } from '../../src/platform/paths.js';
import { createClient, untilReady } from '../http.js';
import { rssMbOf } from '../procs.js';
import { drive } from '../stats.js';
import type { BenchContext } from './context.js';

// A lone login during a sign-up flood, on a second server with production argon2 costs (the
// same database): hashing is bounded, logins go ahead of waiting sign-ups.
export async function floodPhase(ctx: BenchContext): Promise<Record<string, unknown>> {
  const { serverEnv, connections, duration, runId, log } = ctx;
  const fport = await freePort();
  const fbase = `http://127.0.0.1:${fport}`;
  const fserver = spawn(process.execPath, [join(projectRoot, 'dist/src/server.js')], {
    cwd: projectRoot,
    env: {
      ...serverEnv,
      PORT: String(fport),
      METRICS_PORT: String(await freePort()),
      ARGON2_MEMORY_KIB: '',
      ARGON2_TIME_COST: '',
      ARGON2_PARALLELISM: '',
      SIGNUP_RATE_LIMIT_PER_IP: '1000000',
      LOGIN_RATE_LIMIT_PER_USERNAME: '1000000',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    const frequest = createClient(fbase, connections + 2);
    await untilReady(frequest, 'the flood server');
    const probe = { username: `probe_${runId}`, password: 'probe-password' };
    const made = await frequest('POST', '/users', { ...probe, full_name: 'Probe', email: `${probe.username}@bench.example` });
    if (made.status !== 201) throw new Error(`probe sign-up: ${made.status} ${made.body}`);
    const loginOnce = async () => {
      const t0 = performance.now();
      const r = await frequest('POST', '/users/login', probe);
      if (r.status !== 200) throw new Error(`probe login: ${r.status} ${r.body}`);
      return performance.now() - t0;
    };
    const quiet: number[] = [];
    for (let i = 0; i < 5; i++) quiet.push(await loginOnce());
    let fpeak = 0;
    const fsampler = setInterval(() => {
      try {
        fpeak = Math.max(fpeak, rssMbOf(fserver.pid!, 'VmRSS'));
      } catch {
        /* gone */
      }
    }, 100);
    let n = 0;
    const logins: number[] = [];
    const stop = performance.now() + duration * 1000;
    const signUps = drive(`sign-up flood @${connections}`, connections, duration, async () => {
      const u = `flood_${runId}_${n++}`;
      const r = await frequest('POST', '/users', {
        username: u,
        full_name: 'Flood',
        email: `${u}@bench.example`,
        password: 'flood-password',
      });
      return String(r.status);
    });
    const lone = (async () => {
      while (performance.now() < stop) logins.push(await loginOnce());
    })();
    const [floodPhase] = await Promise.all([signUps, lone]);
    clearInterval(fsampler);
    const sorted = [...logins].sort((a, b) => a - b);
    const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
    const flood: Record<string, unknown> = {
      quietLoginMs: quiet.sort((a, b) => a - b)[2],
      logins: logins.length,
      loginP50Ms: pct(50),
      loginP99Ms: pct(99),
      loginMaxMs: sorted.at(-1),
      signUps: floodPhase.statuses,
      serverPeakRssMb: Math.round(fpeak),
    };
    log(
      `  lone login during ${connections} concurrent sign-ups (production argon2): p50 ${pct(50).toFixed(0)} ms, p99 ${pct(99).toFixed(0)} ms ` +
        `(quiet: ${(flood.quietLoginMs as number).toFixed(0)} ms); sign-ups ${JSON.stringify(floodPhase.statuses)}; server peak RSS ${Math.round(fpeak)} MB`,
    );
    return flood;
  } finally {
    fserver.kill('SIGTERM');
    await new Promise((r) => (fserver.exitCode === null ? fserver.once('exit', r) : r(null)));
  }
}
