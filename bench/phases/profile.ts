import { spawn } from 'node:child_process';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort } from '../../scripts/free-port.js';
import { projectRoot } from '../../src/platform/paths.js';
import { createClient, untilReady } from '../http.js';
import { summariseProfile } from '../profile.js';
import { drive } from '../stats.js';
import { type BenchContext, each } from './context.js';

export type ProfileResult = Awaited<ReturnType<typeof summariseProfile>> & { requests: number; perSecond: number };

// Where a server's main thread spends its time under spread load: a second server with a V8
// CPU profile (start-up and a short warm-up included), summarised by part of the stack.
export async function profilePhase(ctx: BenchContext): Promise<ProfileResult> {
  const { profileWorkload, serverEnv, connections, accounts, byCurrency, settle, duration, spreadVia, log } = ctx;
  // Kept for a closer look (Chrome DevTools, or `npx speedscope`): bench/results/profiles/ (not committed).
  const dir = join(projectRoot, 'bench/results/profiles', `${profileWorkload}-${Date.now()}`);
  await mkdir(dir, { recursive: true });
  const p = await freePort();
  const profiled = spawn(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${dir}`, join(projectRoot, 'dist/src/server.js')], {
    cwd: projectRoot,
    env: { ...serverEnv, PORT: String(p), METRICS_PORT: String(await freePort()) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    const send = createClient(`http://127.0.0.1:${p}`, connections);
    await untilReady(send, 'the profiled server');
    // Warm, as the main server is after seeding: every user's token seen (verified once, cached).
    const oneAccountPerUser = [...new Map(accounts.map((a) => [a.token, a])).values()];
    await each('profiled server, warm-up (one transfer per user)', oneAccountPerUser, connections, async (a) => {
      const peers = byCurrency.get(a.currency)!;
      const to = peers[0]!.id === a.id ? peers[1]! : peers[0]!;
      await send('POST', '/transfers', { from_account_id: a.id, to_account_id: to.id, amount: 1, currency: a.currency }, a.token);
    });
    await settle();
    const keyedProfile = profileWorkload === 'keyed';
    const r = await drive(`profiled server, ${profileWorkload} @${connections}`, connections, duration, spreadVia(send, keyedProfile));
    const windowEnd = performance.now();
    profiled.kill('SIGTERM');
    if (profiled.exitCode === null) await new Promise((res) => profiled.once('exit', res));
    const file = (await readdir(dir)).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error('the profiled server wrote no profile');
    // The measured window only: start-up and warm-up before it, the shutdown after it left out.
    const stoppedAfterMs = performance.now() - windowEnd;
    const requests = Object.values(r.statuses).reduce((a, b) => a + b, 0);
    const summary = await summariseProfile(join(dir, file), { lastMs: r.seconds * 1000, skipTailMs: stoppedAfterMs });
    const profileOf = { ...summary, requests, perSecond: r.perSecond };
    log(
      `  profile: ${profileOf.busyMs.toFixed(0)} ms busy, ${profileOf.idleMs.toFixed(0)} ms idle, ${requests} requests; ${join(dir, file)}`,
    );
    return profileOf;
  } finally {
    if (profiled.exitCode === null) {
      profiled.kill('SIGKILL');
      await new Promise((res) => profiled.once('exit', res));
    }
  }
}
