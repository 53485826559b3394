// Idempotency-Key: the key, its request's fingerprint and the outcome are written by the ledger
// function in the same transaction as the money movement (sql/functions/ledger_apply.pgsql), so
// a retry after any crash either replays what committed or runs (once). Only committed outcomes
// are stored: a 201, or a 422 rule refusal. Here: the fingerprint, and the cleanup.
import { createHash } from 'node:crypto';
import { deleteExpiredIdempotencyKeys } from '../../generated/idempotency.queries.js';
import type { Queryable } from '../db/pool.js';

/** Key order does not change what a body means: sort it away before hashing. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

export function fingerprint(method: string, route: string, body: unknown): Buffer {
  return createHash('sha256')
    .update(`${method} ${route}\n${JSON.stringify(canonical(body))}`)
    .digest();
}

/** Deletes keys older than the TTL in small batches; never touches an account row, so never blocks a transfer. */
export async function deleteExpiredKeys(db: Queryable, ttlMs: number, batch = 1_000): Promise<number> {
  const before = new Date(Date.now() - ttlMs);
  let total = 0;
  for (;;) {
    const { rowCount } = await deleteExpiredIdempotencyKeys.runWithCounts({ before, batch }, db);
    total += rowCount;
    if (rowCount < batch) return total;
  }
}
