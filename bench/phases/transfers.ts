// The transfer workloads through the service's HTTP API, each an HTTP phase (BenchContext.httpPhase:
// throughput, latency, CPU, WAL, batch sizes): spread over the connections curve, hot, keyed beside
// unkeyed, holds then their capture or void, deposits.
import type { BenchContext, HttpPhase } from './context.js';

/** Spread transfers (10,000 accounts by default) at each connection count of the curve. */
export async function curvePhase(ctx: BenchContext, curve: number[]): Promise<void> {
  for (const c of curve) await ctx.httpPhase('spread', c, ctx.postTransfer(ctx.spreadPair));
}

/** Hot: two accounts, both ways. */
export async function hotPhase(ctx: BenchContext): Promise<void> {
  await ctx.httpPhase('hot', ctx.connections, ctx.postTransfer(ctx.hotPair));
}

/**
 * Keyed against unkeyed side by side: two rounds of the pair, each keyed phase right after an unkeyed
 * one on the same tables (a keyed phase alone, late in the run, met other conditions than the spread
 * phase of the curve: ratios of one keyed run moved by ±0.2 between runs).
 */
export async function keyedPhase(ctx: BenchContext): Promise<{ unkeyed: HttpPhase; keyed: HttpPhase }[]> {
  const { httpPhase, postTransfer, spreadPair, connections, runId } = ctx;
  const keyedPairs: { unkeyed: HttpPhase; keyed: HttpPhase }[] = [];
  for (let round = 1; round <= 2; round++) {
    const unkeyed = await httpPhase('spread, beside keyed', connections, postTransfer(spreadPair));
    const keyed = await httpPhase(
      'spread keyed',
      connections,
      postTransfer(spreadPair, (i) => `bench-${runId}-r${round}-${i}`),
    );
    keyedPairs.push({ unkeyed, keyed });
  }
  return keyedPairs;
}

/**
 * Money that waits (API v1.3): a hold then its capture, a hold then its void, beside immediate
 * transfers measured right before them on the same tables. Each operation is two requests (the hold,
 * then /post or /void), counted as one movement.
 */
export async function holdsPhase(ctx: BenchContext): Promise<void> {
  const { httpPhase, postTransfer, spreadPair, connections, request, amount } = ctx;
  await httpPhase('spread, beside holds', connections, postTransfer(spreadPair));
  const holdThen = (action: 'post' | 'void') => async () => {
    const { from, to } = spreadPair();
    const h = await request(
      'POST',
      '/transfers',
      {
        from_account_id: from.id,
        to_account_id: to.id,
        amount: amount(),
        currency: from.currency,
        pending: true,
        timeout_seconds: 600,
      },
      from.token,
    );
    if (h.status !== 201) return `hold ${h.status}`;
    const id = (JSON.parse(h.body) as { transfer: { id: number } }).transfer.id;
    return String((await request('POST', `/transfers/${id}/${action}`, {}, from.token)).status);
  };
  await httpPhase('hold → post', connections, holdThen('post'));
  await httpPhase('hold → void', connections, holdThen('void'));
}

/** Deposits by a banker onto random accounts. */
export async function depositsPhase(ctx: BenchContext): Promise<void> {
  const { httpPhase, connections, request, accounts, amount, banker } = ctx;
  await httpPhase(
    'deposits',
    connections,
    async () => {
      const a = accounts[Math.floor(Math.random() * accounts.length)]!;
      const r = await request('POST', '/deposits', { account_id: a.id, amount: amount() }, banker);
      return String(r.status);
    },
    '/deposits',
  );
}
