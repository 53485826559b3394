// Idempotency-Key: the key, its request's fingerprint and the outcome are written in the same
// transaction as the money movement, so a retry after any crash either replays what committed or
// runs (once). Only committed outcomes are stored: a 201, or a 422 rule refusal.
import { createHash } from 'node:crypto';
import type pg from 'pg';
import {
  deleteExpiredIdempotencyKeys,
  lockIdempotencyKey,
  storeIdempotencyKey,
} from '../../generated/idempotency.queries.js';
import { ConflictError, RuleViolationError, translatePgError } from '../db/errors.js';
import { one } from '../db/one.js';
import type { Queryable } from '../db/pool.js';
import { withTransaction, type Tx } from '../db/transaction.js';

export interface StoredOutcome {
  status: number;
  body: unknown;
  replayed: boolean;
}

/** Key order does not change what a body means: sort it away before hashing. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical((value as Record<string, unknown>)[k])]));
  }
  return value;
}

export function fingerprint(method: string, route: string, body: unknown): Buffer {
  return createHash('sha256').update(`${method} ${route}\n${JSON.stringify(canonical(body))}`).digest();
}

export async function runIdempotent(
  pool: pg.Pool,
  req: { username: string; key: string; fingerprint: Buffer; ttlMs: number },
  exec: (tx: Tx) => Promise<unknown>,
  /** The stored body of a refusal worth storing (a 422 rule violation); undefined: not stored, rethrown. */
  refusal: (err: RuleViolationError) => unknown,
): Promise<StoredOutcome> {
  return withTransaction(pool, async (tx) => {
    const held = one(await lockIdempotencyKey.run({ username: req.username, key: req.key }, tx), 'idempotency key');
    if (!held.locked) {
      throw new ConflictError('idempotency_key_in_use', 'a request with this Idempotency-Key is still being processed; retry shortly');
    }
    const live = held.status !== null && held.created_at !== null && held.created_at.getTime() > Date.now() - req.ttlMs;
    if (live) {
      if (!held.fingerprint || !held.fingerprint.equals(req.fingerprint)) {
        throw new RuleViolationError('idempotency_key_reused', 'this Idempotency-Key was used with a different request');
      }
      return { status: held.status!, body: held.response, replayed: true };
    }

    let status = 201;
    let body: unknown;
    await tx.query('SAVEPOINT money_movement');
    try {
      body = await exec(tx);
    } catch (err) {
      const e = translatePgError(err);
      if (!(e instanceof RuleViolationError)) throw e;
      await tx.query('ROLLBACK TO SAVEPOINT money_movement'); // nothing moved; the refusal is the outcome
      status = 422;
      body = refusal(e);
    }
    await storeIdempotencyKey.run(
      { username: req.username, key: req.key, fingerprint: req.fingerprint, status, response: body as never },
      tx,
    );
    return { status, body, replayed: false };
  });
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
