// The ledger: where money moves. Every movement — transfer, deposit, withdrawal, with or without an
// Idempotency-Key — is an item of ONE call of the SQL function `transfer_tx_batch`
// (sql/transfers.sql, migrations/*_transfer_tx_batch.sql). In one transaction it locks every account
// of the call in ascending id order, applies the items in order with the rules checked per item, and
// writes transfers, entries, balances and stored idempotent answers. This module owns that call:
// typed items in, typed answers out.
//
// Group commit: concurrent movements share one call and one COMMIT. A movement that finds a free
// slot goes at once, alone (no timer, so a lone request waits for nothing); while every slot has a
// call in flight, new movements queue, and when a call returns, what queued goes next as one batch
// (at most `maxBatch` items). Nothing is answered before its batch's COMMIT has returned.
//
// Faults: a deadlock or serialization failure retries the whole batch (bounded, jittered); a lost
// connection answers every item with that error (the outcome may be unknown: 503, retry with the
// same Idempotency-Key). An item that makes the call raise is isolated by splitting the batch, so it
// cannot fail the others.

import type pg from 'pg';
import { type ITransferTxBatchParams, type ITransferTxBatchResult, transferTxBatch } from '../../generated/transfers.queries.js';
import type { Account } from '../accounts/accounts.schemas.js';
import type { Queryable } from '../db/pool.js';
import { type RetryOptions, withRetry, withTransaction } from '../db/transaction.js';
import {
  ConflictError,
  type DomainError,
  type ErrorCode,
  ForbiddenError,
  LedgerRefusal,
  NotFoundError,
  RuleViolationError,
  UnavailableError,
  ValidationError,
} from '../errors.js';
import type { AccountId, Cents } from '../ids.js';
import { tracing } from '../platform/tracing.js';
import type { TransferResult } from './transfers.schemas.js';

export type Movement =
  | {
      kind: 'transfer';
      fromAccountId: AccountId;
      toAccountId: AccountId;
      amount: Cents;
      currency: string;
      /** When set, the from-account must belong to this user (else 403 forbidden). */
      actingOwner?: string;
    }
  | { kind: 'deposit' | 'withdrawal'; accountId: AccountId; amount: Cents };

/** An Idempotency-Key claim: the caller it is scoped to, the key, and the request's fingerprint. */
export interface IdempotencyClaim {
  username: string;
  key: string;
  fingerprint: Buffer;
}

/** One item of a ledger call. */
export interface MovementRequest {
  movement: Movement;
  idempotency?: IdempotencyClaim;
}

/**
 * What one item answered: the result or the refusal, and whether it is the replay of an earlier
 * request with the same Idempotency-Key. A refusal is a value, not a throw: its neighbours went on,
 * and a refusal that committed (a stored 422) is replayed as faithfully as a success.
 */
export type MovementAnswer =
  | { ok: true; replayed: boolean; result: TransferResult /** absent on a replay */; toAccount?: Account }
  | { ok: false; replayed: boolean; error: DomainError };

// The call.

/**
 * The function's parameters are parallel arrays, one entry per item (SQL has no array of a record
 * type that pgtyped could type): this is the one place that fills them. An item without a field
 * passes the function's "none" value ('' for text, 0 for an id, an empty fingerprint).
 */
function encode(requests: readonly MovementRequest[], keyTtlMs: number): ITransferTxBatchParams {
  const n = requests.length;
  const p = {
    kinds: new Array<string>(n),
    fromIds: new Array<number>(n),
    toIds: new Array<number>(n),
    amounts: new Array<number>(n),
    currencies: new Array<string>(n),
    owners: new Array<string>(n),
    keyUsers: new Array<string>(n),
    keys: new Array<string>(n),
    fingerprints: new Array<Buffer>(n),
    keyTtlMs,
  };
  for (let i = 0; i < n; i++) {
    const { movement: m, idempotency: k } = requests[i]!;
    p.kinds[i] = m.kind;
    p.amounts[i] = m.amount;
    if (m.kind === 'transfer') {
      p.fromIds[i] = m.fromAccountId;
      p.toIds[i] = m.toAccountId;
      p.currencies[i] = m.currency;
      p.owners[i] = m.actingOwner ?? '';
    } else {
      p.fromIds[i] = m.accountId;
      p.toIds[i] = 0;
      p.currencies[i] = '';
      p.owners[i] = '';
    }
    p.keyUsers[i] = k?.username ?? '';
    p.keys[i] = k?.key ?? '';
    p.fingerprints[i] = k?.fingerprint ?? NO_FINGERPRINT;
  }
  return p;
}
const NO_FINGERPRINT = Buffer.alloc(0);

/** A stored refusal holds its code and detail (older rows: the whole problem body, which has both). */
interface StoredRefusal {
  code: string;
  detail: string;
}

/**
 * One answer row → its typed answer. The function builds `result` and `to_account` as the API's JSON
 * (json_build_object over the same columns the schemas name), so their shape is the schema's; the
 * contract tests check it against the TypeBox schemas on every answer.
 */
function decode(r: ITransferTxBatchResult): MovementAnswer {
  if (r.status === 201) {
    const result = r.result as unknown as TransferResult;
    return r.replayed
      ? { ok: true, replayed: true, result }
      : { ok: true, replayed: false, result, toAccount: r.to_account as unknown as Account };
  }
  if (r.replayed) {
    const stored = r.result as unknown as StoredRefusal;
    return { ok: false, replayed: true, error: refusal(r.status, stored.code, stored.detail) };
  }
  return { ok: false, replayed: false, error: refusal(r.status, r.code ?? 'internal', r.detail ?? '') };
}

/** A refusal as the ledger function reports it (status, contract code, detail) → the typed error. */
function refusal(status: number, code: string, detail: string): DomainError {
  switch (code as ErrorCode) {
    case 'not_found':
      return new NotFoundError(detail);
    case 'forbidden':
      return new ForbiddenError(detail);
    case 'idempotency_key_in_use':
      return new ConflictError('idempotency_key_in_use', detail);
    case 'validation_failed':
      return new ValidationError('amount', 'must be a positive integer');
    case 'same_account':
    case 'currency_mismatch':
    case 'insufficient_funds':
    case 'balance_limit_exceeded':
    case 'idempotency_key_reused':
      return new RuleViolationError(code as RuleViolationError['code'], detail);
    default:
      // Never thrown: this runs after COMMIT, where nothing may fail. Kept as the function said it.
      return new LedgerRefusal(status, code as ErrorCode, detail);
  }
}

/**
 * One call of the ledger function for these items, in order; answers in the same order. Runs in
 * the caller's transaction when `db` is a client, else as one autocommitted statement (one COMMIT
 * for the batch). Does not retry and does not split: the group commit does.
 */
export async function applyBatch(db: Queryable, requests: readonly MovementRequest[], keyTtlMs: number): Promise<MovementAnswer[]> {
  const rows = await transferTxBatch.run(encode(requests, keyTtlMs), db);
  if (rows.length !== requests.length) throw new Error(`transfer_tx_batch answered ${rows.length} items for ${requests.length}`);
  return rows.map(decode);
}

// The group commit.

export interface GroupCommitOptions {
  /** Most items in one call. */
  maxBatch?: number;
  /** Most calls in flight at once (each holds one pooled connection). */
  maxInFlight?: number;
  /** How long a stored Idempotency-Key answer is replayed. */
  keyTtlMs: number;
  retry?: RetryOptions;
  /**
   * A read replica serves reads: commit each call only once the synchronous standby has applied it
   * (BEGIN; SET LOCAL synchronous_commit = remote_apply; the call; COMMIT), so a 201 is readable there.
   */
  remoteApply?: boolean;
  /** Told each ledger call's items and seconds from sending to the answers (metrics). */
  onCall?: (items: number, seconds: number) => void;
  /** Told how long each movement waited for a slot before its call was sent (metrics). */
  onWait?: (seconds: number) => void;
}

export interface GroupCommitStats {
  batches: number;
  items: number;
  largestBatch: number;
  splits: number;
}

/** Every money movement goes through it: see the top of this file. */
export interface GroupCommit {
  /**
   * Moves money with whatever else is waiting; resolves after the COMMIT that made it durable. A
   * movement whose `signal` aborts while it still waits for a slot is dropped (rejected with the
   * signal's reason) and never reaches the ledger; once sent, it keeps the ledger's outcome.
   */
  submit(request: MovementRequest, signal?: AbortSignal): Promise<MovementAnswer>;
  /** Items waiting for a slot, and calls in flight. */
  readonly pending: { queued: number; inFlight: number };
  readonly stats: GroupCommitStats;
}

interface Waiting {
  request: MovementRequest;
  /** The span of the request that submitted it (tracing on), linked from the ledger call's span. */
  link: unknown;
  resolve: (a: MovementAnswer) => void;
  reject: (e: unknown) => void;
  /** performance.now() when submitted. */
  at: number;
}

export function createGroupCommit(pool: pg.Pool, opts: GroupCommitOptions): GroupCommit {
  const maxBatch = opts.maxBatch ?? 64;
  const maxInFlight = opts.maxInFlight ?? 2;
  const queue: Waiting[] = [];
  const stats: GroupCommitStats = { batches: 0, items: 0, largestBatch: 0, splits: 0 };
  let inFlight = 0;

  function pump(): void {
    while (inFlight < maxInFlight && queue.length > 0) {
      const batch = queue.splice(0, maxBatch);
      inFlight++;
      stats.batches++;
      stats.items += batch.length;
      if (batch.length > stats.largestBatch) stats.largestBatch = batch.length;
      if (opts.onWait) {
        const now = performance.now();
        for (const w of batch) opts.onWait((now - w.at) / 1000);
      }
      void run(batch).finally(() => {
        inFlight--;
        pump();
      });
    }
  }

  async function run(batch: Waiting[]): Promise<void> {
    let answers: MovementAnswer[];
    const sentAt = performance.now();
    try {
      const requests = batch.map((w) => w.request);
      answers = await tracing.ledger(
        batch.map((w) => w.link),
        requests.length,
        () =>
          opts.remoteApply
            ? withTransaction(pool, (tx) => applyBatch(tx, requests, opts.keyTtlMs), { ...opts.retry, remoteApply: true })
            : withRetry(() => applyBatch(pool, requests, opts.keyTtlMs), opts.retry),
      );
      opts.onCall?.(requests.length, (performance.now() - sentAt) / 1000);
    } catch (err) {
      // Nothing of the batch committed, unless the connection was lost mid-call: then no one knows.
      // Retries used up or the database gone (503, errors come out of withRetry typed): the same
      // answer for every item, no split.
      if (batch.length === 1 || err instanceof UnavailableError) {
        for (const w of batch) w.reject(err);
        return;
      }
      // An item raised: the whole call rolled back, so run the halves again to isolate it.
      stats.splits++;
      const half = Math.ceil(batch.length / 2);
      await run(batch.slice(0, half));
      await run(batch.slice(half));
      return;
    }
    for (let i = 0; i < batch.length; i++) batch[i]!.resolve(answers[i]!);
  }

  return {
    submit(request, signal) {
      return new Promise((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason);
        const waiting: Waiting = { request, resolve, reject, link: tracing.link(), at: performance.now() };
        if (signal) {
          const drop = () => {
            const i = queue.indexOf(waiting);
            if (i >= 0) {
              queue.splice(i, 1);
              reject(signal.reason);
            }
          };
          signal.addEventListener('abort', drop, { once: true });
          const settle =
            <T>(f: (v: T) => void) =>
            (v: T) => {
              signal.removeEventListener('abort', drop);
              f(v);
            };
          waiting.resolve = settle(resolve);
          waiting.reject = settle(reject);
        }
        queue.push(waiting);
        pump();
      });
    },
    get pending() {
      return { queued: queue.length, inFlight };
    },
    stats,
  };
}
