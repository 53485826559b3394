/** Latency samples (ms) → percentiles. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export interface PhaseResult {
  name: string;
  ops: number;
  seconds: number;
  perSecond: number;
  /** Mean latency (ms). */
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  statuses: Record<string, number>;
  loadGenCpuShare?: number;
  serverCpuMsPerRequest?: number;
}

export function summarise(name: string, latencies: number[], seconds: number, statuses: Record<string, number>): PhaseResult {
  const sorted = [...latencies].sort((a, b) => a - b);
  const ok = Object.entries(statuses)
    .filter(([s]) => s.startsWith('2') || s === 'ok')
    .reduce((n, [, c]) => n + c, 0);
  return {
    name,
    ops: ok,
    seconds,
    perSecond: ok / seconds,
    mean: latencies.reduce((a, b) => a + b, 0) / Math.max(1, latencies.length),
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    statuses,
  };
}

/**
 * Runs `op` from `concurrency` loops for `seconds`, printing progress every second.
 * `op` resolves to a status label ("201", "ok", "insufficient_funds", …).
 */
export async function drive(name: string, concurrency: number, seconds: number, op: () => Promise<string>): Promise<PhaseResult> {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const started = performance.now();
  const until = started + seconds * 1000;
  const cpu0 = process.cpuUsage();
  let done = 0;
  const tty = process.stdout.isTTY;
  const ticker = setInterval(
    () => {
      const el = (performance.now() - started) / 1000;
      const line = `  ${name}: ${el.toFixed(0)}s/${seconds}s, ${done} done, ${(done / el).toFixed(0)}/s`;
      process.stdout.write(tty ? `\r${line}   ` : `${line}\n`);
    },
    tty ? 1000 : 2000,
  );
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) {
        const t0 = performance.now();
        let label: string;
        try {
          label = await op();
        } catch (err) {
          label = (err as { code?: string }).code ?? 'error';
        }
        latencies.push(performance.now() - t0);
        statuses[label] = (statuses[label] ?? 0) + 1;
        done++;
      }
    }),
  );
  clearInterval(ticker);
  const elapsed = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpu0);
  if (tty) process.stdout.write(`\r${' '.repeat(80)}\r`);
  const result = summarise(name, latencies, elapsed, statuses);
  result.loadGenCpuShare = (cpu.user + cpu.system) / 1e6 / elapsed;
  return result;
}
