// Side by side: the same spread load on the service under measurement and on a second server started
// with other settings, alternated. What metrics and tracing cost are measured this way.
import { spawn } from 'node:child_process';
import { createServer as createHttpServer } from 'node:http';
import { join } from 'node:path';
import { freePort } from '../../scripts/free-port.js';
import { projectRoot } from '../../src/platform/paths.js';
import { createClient, untilReady } from '../http.js';
import { drive, type PhaseResult } from '../stats.js';
import type { BenchContext } from './context.js';

/**
 * The same spread load on this server and on a second one started with `env`, side by side: the
 * second warms up first (its session and token caches), then this, that, this, that, and the better
 * run of each (the machine's noise is larger than what is measured).
 */
export async function sideBySide(ctx: BenchContext, env: NodeJS.ProcessEnv, names: [string, string]): Promise<[PhaseResult, PhaseResult]> {
  const { serverEnv, connections, duration, spreadVia, request, settle, log } = ctx;
  const p = await freePort();
  const other = spawn(process.execPath, [join(projectRoot, 'dist/src/server.js')], {
    cwd: projectRoot,
    env: { ...serverEnv, PORT: String(p), METRICS_PORT: String(await freePort()), ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    const otherRequest = createClient(`http://127.0.0.1:${p}`, connections);
    await untilReady(otherRequest, `the ${names[1]} server`);
    await drive(`warm-up, ${names[1]} @${connections}`, connections, Math.min(duration, 4), spreadVia(otherRequest));
    const runs: [PhaseResult[], PhaseResult[]] = [[], []];
    for (let round = 0; round < 2; round++) {
      await settle();
      runs[0].push(await drive(`spread, ${names[0]} @${connections}`, connections, duration, spreadVia(request)));
      await settle();
      runs[1].push(await drive(`spread, ${names[1]} @${connections}`, connections, duration, spreadVia(otherRequest)));
    }
    const best = (xs: PhaseResult[]) => xs.reduce((x, y) => (y.perSecond > x.perSecond ? y : x));
    const [here, there] = [best(runs[0]), best(runs[1])];
    log(`  ${names[0]} ${here.perSecond.toFixed(0)}/s vs ${names[1]} ${there.perSecond.toFixed(0)}/s`);
    return [here, there];
  } finally {
    other.kill('SIGTERM');
    if (other.exitCode === null) await new Promise((r) => other.once('exit', r));
  }
}

// What metrics cost: this server (metrics on, as always) against one with METRICS_PORT=0.
export async function metricsPhase(ctx: BenchContext): Promise<{ on: PhaseResult; off: PhaseResult }> {
  const [on, off] = await sideBySide(ctx, { METRICS_PORT: '0' }, ['metrics on', 'metrics off']);
  return { on, off };
}

// What tracing costs: this server (tracing off) against one exporting every span over
// OTLP/HTTP to a sink in this process.
export async function tracingPhase(ctx: BenchContext): Promise<{ off: PhaseResult; on: PhaseResult; spans: number }> {
  let spanCount = 0;
  const sink = createHttpServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      spanCount += (body.match(/"spanId"/g) ?? []).length;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  const sinkPort = await freePort();
  await new Promise<void>((r) => sink.listen(sinkPort, '127.0.0.1', () => r()));
  try {
    const [off, on] = await sideBySide(
      ctx,
      { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${sinkPort}`, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' },
      ['tracing off', 'tracing on'],
    );
    return { off, on, spans: spanCount };
  } finally {
    sink.close();
  }
}
