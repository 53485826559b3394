// What every phase of `npm run bench` shares: the seeded service, its database, the load generator's
// client, the workloads, and the helpers that measure an HTTP phase. run.ts builds it once the service
// is seeded; each phase module (bench/phases/*.ts) reads what it needs from it and returns its figures.
import type pg from 'pg';
import type { Send } from '../http.js';
import type { PhaseResult } from '../stats.js';

export interface Account {
  id: number;
  token: string;
  currency: string;
}
export type Pair = () => { from: Account; to: Account };

export interface HttpPhase extends PhaseResult {
  workload: string;
  connections: number;
  dbCpuMsPerTransfer?: number;
  /** WAL the database wrote during the phase, per movement (every database of the server). */
  walBytesPerTransfer?: number;
  /** Items per call of the ledger function during the phase (group commit). */
  avgBatch?: number;
  peakRssMb?: number;
}

export interface BenchContext {
  log: (m: string) => void;
  /** Seconds per phase, and the main phases' connections. */
  duration: number;
  connections: number;
  runId: string;
  profileWorkload: string;
  /** The service's database (a superuser's URL, and the URL the service uses). */
  db: { url: string; poolUrl: string };
  pool: pg.Pool;
  /** The service under measurement, and a client of it with `connections` keep-alive connections. */
  base: string;
  serverEnv: NodeJS.ProcessEnv;
  request: Send;
  users: { username: string; token: string }[];
  accounts: Account[];
  byCurrency: Map<string, Account[]>;
  /** A banker's token (bench_0). */
  banker: string;
  spreadPair: Pair;
  hotPair: Pair;
  /** A random amount, 1–100 cents. */
  amount: () => number;
  /** Every phase starts from the same state: a VACUUM and a CHECKPOINT. */
  settle: () => Promise<void>;
  /** One measured HTTP phase (throughput, latency, CPU, WAL, batch sizes), added to `phases`. */
  httpPhase: (workload: string, conns: number, op: (i: number) => Promise<string>, route?: string) => Promise<HttpPhase>;
  /** Transfers between `pair`'s accounts through the service's client (with `key`, the i-th request's Idempotency-Key). */
  postTransfer: (pair: Pair, key?: (i: number) => string) => (i?: number) => Promise<string>;
  /** Spread transfers through `send` (keyed: a fresh Idempotency-Key each). */
  spreadVia: (send: Send, keyed?: boolean) => (i?: number) => Promise<string>;
  phases: HttpPhase[];
}

/** Runs `fn` over `items` from `concurrency` loops, printing progress. */
export async function each<T>(label: string, items: T[], concurrency: number, fn: (item: T) => Promise<void>) {
  let next = 0;
  let done = 0;
  const tty = process.stdout.isTTY;
  const ticker = setInterval(
    () => process.stdout.write(tty ? `\r  ${label}: ${done}/${items.length}   ` : `  ${label}: ${done}/${items.length}\n`),
    tty ? 500 : 3000,
  );
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        await fn(items[next++]!);
        done++;
      }
    }),
  );
  clearInterval(ticker);
  process.stdout.write(`\r  ${label}: ${done}/${items.length}   \n`);
}
