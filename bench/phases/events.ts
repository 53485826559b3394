import { createClient } from '../http.js';
import { percentile } from '../stats.js';
import type { BenchContext } from './context.js';

/** The events phase: from a transfer's 201 to its event at a long-polling reader, under spread load. */
export interface EventLag {
  transfers: number;
  /** Transfers answered 201 whose event the reader never got (5 s after the phase): 0, or a defect. */
  missing: number;
  pages: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  /** The phase's movements/s over the spread phase's without a reader (same connections). */
  throughputVsSpread: number | undefined;
}

// Events (API v1.3): the delivery lag under load. Spread transfers at `connections` while one
// banker long-polls GET /events on a connection of its own; for each transfer, the time from
// its 201 at the load generator to its event reaching the reader (an event read before its
// 201 arrived counts 0). Beside it, the phase's throughput against the spread phase without a
// reader.
export async function eventsPhase(ctx: BenchContext): Promise<EventLag> {
  const { base, pool, banker, request, spreadPair, amount, httpPhase, phases, connections, log } = ctx;
  const reader = createClient(base, 1);
  const answeredAt = new Map<number, number>();
  const arrivedAt = new Map<number, number>();
  let after = Number((await pool.query<{ s: string }>('SELECT coalesce(max(sequence), 0)::text AS s FROM events')).rows[0]!.s);
  let reading = true;
  let pages = 0;
  const read = (async () => {
    while (reading) {
      const r = await reader('GET', `/events?after=${after}&limit=1000&wait=1`, undefined, banker);
      const now = performance.now();
      if (r.status !== 200) throw new Error(`GET /events: ${r.status} ${r.body}`);
      const page = JSON.parse(r.body) as { items: { data: { transfer?: { id: number } } }[]; next_after: number };
      pages++;
      for (const e of page.items) if (e.data.transfer) arrivedAt.set(e.data.transfer.id, now);
      after = page.next_after;
    }
  })();
  const phase = await httpPhase('spread, events read', connections, async () => {
    const { from, to } = spreadPair();
    const r = await request(
      'POST',
      '/transfers',
      { from_account_id: from.id, to_account_id: to.id, amount: amount(), currency: from.currency },
      from.token,
    );
    if (r.status === 201) answeredAt.set((JSON.parse(r.body) as { transfer: { id: number } }).transfer.id, performance.now());
    return String(r.status);
  });
  // The phase's last events arrive after it ends: up to 5 s for them.
  const missing = () => [...answeredAt.keys()].filter((id) => !arrivedAt.has(id)).length;
  for (const end = Date.now() + 5_000; Date.now() < end && missing() > 0; ) await new Promise((r) => setTimeout(r, 50));
  reading = false;
  await read;
  const lags = [...answeredAt]
    .flatMap(([id, t]) => {
      const a = arrivedAt.get(id);
      return a === undefined ? [] : [Math.max(0, a - t)];
    })
    .sort((a, b) => a - b);
  const spreadAlone = phases.find((p) => p.workload === 'spread' && p.connections === connections);
  const eventLag: EventLag = {
    transfers: answeredAt.size,
    missing: missing(),
    pages,
    p50: percentile(lags, 50),
    p90: percentile(lags, 90),
    p99: percentile(lags, 99),
    max: lags.at(-1) ?? Number.NaN,
    throughputVsSpread: spreadAlone ? phase.perSecond / spreadAlone.perSecond : undefined,
  };
  log(
    `  event delivery lag: p50 ${eventLag.p50.toFixed(1)} ms, p90 ${eventLag.p90.toFixed(1)} ms, p99 ${eventLag.p99.toFixed(1)} ms, max ${eventLag.max.toFixed(1)} ms over ${eventLag.transfers} transfers in ${pages} pages; ${eventLag.missing} never arrived`,
  );
  return eventLag;
}
