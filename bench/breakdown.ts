// Where a movement's wall time goes, measured during an HTTP phase from three sides at once:
// - the load generator's own latency (the client's view, wire included);
// - the server's metrics, scraped before and after: time in the server per request (Fastify's
//   onRequest → response written), a movement's wait for a ledger slot, a ledger call's round trip;
// - the Postgres backends of the service, sampled in pg_stat_activity every few milliseconds: how much
//   of a call they spend running, waiting for row locks, flushing WAL, or otherwise waiting.
import pg from 'pg';

/** Every sample of a Prometheus text exposition: `name{labels}` → value. */
export async function scrapeMetrics(url: string): Promise<Map<string, number>> {
  const text = await (await fetch(url)).text();
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    samples.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return samples;
}

function sum(s: Map<string, number>, name: string, labels: Record<string, string> = {}): number {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  let total = 0;
  for (const [key, v] of s) {
    if (key !== name && !key.startsWith(`${name}{`)) continue;
    if (want.every((w) => key.includes(w))) total += v;
  }
  return total;
}

export interface ServerShares {
  /** Mean ms a request spent in the server (Fastify's onRequest to the response written). */
  serverMs: number;
  /** Mean ms a movement waited for a ledger slot. */
  queueWaitMs: number;
  /** Mean ms of a ledger call, sent to answered (every movement of the call waits all of it). */
  callMs: number;
  /** Movements per ledger call. */
  itemsPerCall: number;
  calls: number;
  requests: number;
}

/** The server's own view of a phase, from two scrapes of its metrics around it. */
export function serverShares(before: Map<string, number>, after: Map<string, number>, method: string, route: string): ServerShares {
  const d = (name: string, labels?: Record<string, string>) => sum(after, name, labels) - sum(before, name, labels);
  const labels = { method, route };
  const requests = d('http_request_duration_seconds_count', labels);
  const calls = d('simplebank_ledger_call_seconds_count');
  const waits = d('simplebank_ledger_queue_wait_seconds_count');
  return {
    serverMs: (1000 * d('http_request_duration_seconds_sum', labels)) / Math.max(1, requests),
    queueWaitMs: (1000 * d('simplebank_ledger_queue_wait_seconds_sum')) / Math.max(1, waits),
    callMs: (1000 * d('simplebank_ledger_call_seconds_sum')) / Math.max(1, calls),
    itemsPerCall: d('simplebank_ledger_batch_size_sum') / Math.max(1, calls),
    calls,
    requests,
  };
}

/** What a backend was doing when sampled. */
export type BackendState = 'running' | 'row lock' | 'WAL flush' | 'other wait' | 'other statements' | 'idle';
const STATES: BackendState[] = ['running', 'row lock', 'WAL flush', 'other wait', 'other statements', 'idle'];

function classify(state: string | null, type: string | null, event: string | null, ledger: boolean): BackendState {
  if (state !== 'active') return 'idle';
  if (!ledger) return 'other statements';
  if (type === null) return 'running';
  if (type === 'Lock') return 'row lock';
  if (event !== null && /^wal(sync|write|insert)$/i.test(event)) return 'WAL flush';
  return 'other wait';
}

export interface BackendSample {
  /** Backend-milliseconds in each state over the window (samples × the measured interval). */
  ms: Record<BackendState, number>;
  samples: number;
  intervalMs: number;
}

/**
 * Samples the backends whose application_name is `app` every `everyMs` until stopped. A sample is
 * one consistent snapshot of pg_stat_activity; each backend seen in a state adds one interval to it.
 */
export async function sampleBackends(url: string, app: string, everyMs = 10): Promise<() => Promise<BackendSample>> {
  const client = new pg.Client({ connectionString: url, application_name: 'bench-sampler' });
  await client.connect();
  const counts = Object.fromEntries(STATES.map((s) => [s, 0])) as Record<BackendState, number>;
  let samples = 0;
  let stopped = false;
  const started = performance.now();
  const loop = (async () => {
    while (!stopped) {
      const t0 = performance.now();
      const { rows } = await client.query<{
        state: string | null;
        wait_event_type: string | null;
        wait_event: string | null;
        ledger: boolean;
      }>(
        `SELECT state, wait_event_type, wait_event, query LIKE '%ledger_batch%' AS ledger
         FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()`,
        [app],
      );
      samples++;
      for (const r of rows) counts[classify(r.state, r.wait_event_type, r.wait_event, r.ledger)]++;
      const left = everyMs - (performance.now() - t0);
      if (left > 0) await new Promise((r) => setTimeout(r, left));
    }
  })();
  return async () => {
    stopped = true;
    await loop;
    await client.end();
    const intervalMs = (performance.now() - started) / Math.max(1, samples);
    const ms = Object.fromEntries(STATES.map((s) => [s, counts[s] * intervalMs])) as Record<BackendState, number>;
    return { ms, samples, intervalMs };
  };
}

export interface Breakdown {
  phase: string;
  connections: number;
  /** The client's mean latency (ms): everything below adds up to it. */
  clientMs: number;
  /** Client mean − server mean: the wire both ways, the server's HTTP parsing before onRequest, the load generator. */
  outsideServerMs: number;
  /** Server mean − queue wait − call: Node's own work for the request (parse, auth, validation, serialisation, write). */
  nodeMs: number;
  queueWaitMs: number;
  callMs: number;
  itemsPerCall: number;
  /** Per ledger call (ms): backend time by state, and the rest of the call (wire, pg's client side). */
  perCall: Record<Exclude<BackendState, 'idle' | 'other statements'>, number> & { outsideBackend: number };
  /** Backend ms per request in statements other than the ledger call (sessions, limits, reads). */
  otherStatementsMs: number;
}

export function breakdownOf(
  phase: string,
  connections: number,
  clientMeanMs: number,
  shares: ServerShares,
  backends: BackendSample,
): Breakdown {
  const per = (s: BackendState) => backends.ms[s] / Math.max(1, shares.calls);
  const inBackend = per('running') + per('row lock') + per('WAL flush') + per('other wait');
  return {
    phase,
    connections,
    clientMs: clientMeanMs,
    outsideServerMs: clientMeanMs - shares.serverMs,
    nodeMs: shares.serverMs - shares.queueWaitMs - shares.callMs,
    queueWaitMs: shares.queueWaitMs,
    callMs: shares.callMs,
    itemsPerCall: shares.itemsPerCall,
    perCall: {
      running: per('running'),
      'row lock': per('row lock'),
      'WAL flush': per('WAL flush'),
      'other wait': per('other wait'),
      outsideBackend: shares.callMs - inBackend,
    },
    otherStatementsMs: backends.ms['other statements'] / Math.max(1, shares.requests),
  };
}

export function breakdownTable(rows: readonly Breakdown[]): string {
  const f = (n: number) => n.toFixed(2);
  const lines = [
    '| phase | conns | client mean ms | outside the server | Node | queue wait | ledger call | ↳ backend running | ↳ row locks | ↳ WAL flush | ↳ other waits | ↳ wire + pg client | items / call | other statements / request |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const b of rows) {
    lines.push(
      `| ${b.phase} | ${b.connections} | ${f(b.clientMs)} | ${f(b.outsideServerMs)} | ${f(b.nodeMs)} | ${f(b.queueWaitMs)} | ${f(b.callMs)} | ` +
        `${f(b.perCall.running)} | ${f(b.perCall['row lock'])} | ${f(b.perCall['WAL flush'])} | ${f(b.perCall['other wait'])} | ` +
        `${f(b.perCall.outsideBackend)} | ${b.itemsPerCall.toFixed(1)} | ${f(b.otherStatementsMs)} |`,
    );
  }
  return lines.join('\n');
}
