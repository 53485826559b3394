import { DomainError } from '../../src/errors.js';
import { asAccountId, asCents } from '../../src/ids.js';
import { applyBatch } from '../../src/transfers/ledger.js';
import { drive, type PhaseResult } from '../stats.js';
import type { BenchContext } from './context.js';

// One ledger call per transfer straight from a pool, no HTTP and no group commit: at the main
// phases' connections, and alone (one call at a time: the lone request's path without HTTP).
export async function inProcessPhase(ctx: BenchContext): Promise<{ inProcess: PhaseResult; inProcessLone: PhaseResult }> {
  const { pool, spreadPair, amount, settle, connections, duration, log } = ctx;
  const label = (err: unknown) => (err instanceof DomainError ? err.code : ((err as { code?: string }).code ?? 'error'));
  const oneCall = async () => {
    const { from, to } = spreadPair();
    try {
      const movement = {
        kind: 'transfer',
        fromAccountId: asAccountId(from.id),
        toAccountId: asAccountId(to.id),
        amount: asCents(amount()),
        currency: from.currency,
      } as const;
      const [answer] = await applyBatch(pool, [{ movement }], 0);
      return answer!.ok ? 'ok' : answer!.error.code;
    } catch (err) {
      return label(err);
    }
  };
  await settle();
  const inProcess = await drive('in-process single call spread', connections, duration, oneCall);
  await settle();
  const inProcessLone = await drive('in-process single call spread', 1, duration, oneCall);
  for (const r of [inProcess, inProcessLone])
    log(`  ${r.name}: ${r.perSecond.toFixed(0)}/s, p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(1)} ms`);
  return { inProcess, inProcessLone };
}
