// The ledger: where money moves. Every movement — transfer, deposit, withdrawal, with or without an
// Idempotency-Key — is an item of ONE call of the SQL function `ledger_apply`
// (sql/functions/ledger_apply.pgsql, its only source; the call: sql/transfers.sql). In one transaction it
// locks every account of the call in ascending id order, applies the items in order with the rules
// checked per item, and writes transfers, entries, balances and stored idempotent answers. This module
// owns that call: typed items in (MovementRequest), typed answers out (MovementAnswer).
//
// Group commit: concurrent movements share one call and one COMMIT. A movement that finds a free
// slot goes at once, alone (no timer, so a lone request waits for nothing); while every slot has a
// call in flight, new movements queue, and when a call returns, what queued goes next as one batch
// (at most `maxBatch` items). Nothing is answered before its batch's COMMIT has returned.
//
// Faults: a deadlock or serialization failure retries the whole batch (bounded, jittered); a lost
// connection answers every item with that error (the outcome may be unknown: 503, retry with the
// same Idempotency-Key). Every movement is answered within `answerWithinMs` of its request's arrival,
// however long the database stalls and however many queue: a call ends within `callBoundMs` (the
// query timeout), so a movement is sent only while that much time is left — one still queued past
// that point is dropped and answered 503 at once (nothing moved). Should a call outlive its bound, its
// movements are answered 503 when due (outcome unknown; a retry with the key replays what committed).
// A caller's own deadline (gRPC) that passes before its movement is sent drops it too, even when a
// slot is free. An item that makes the call raise is isolated by splitting the batch, so it
// cannot fail the others. Errors leave here as Postgres raised them: the operation boundary
// (src/operations.ts) is the one place that turns them into the contract's.

import type pg from 'pg';
import Type, { type TSchema } from 'typebox';
import Compile from 'typebox/compile';
import { ledgerApply } from '../../generated/transfers.queries.js';
import { Account } from '../accounts/accounts.schemas.js';
import { isRetryable, isUnavailable, UNAVAILABLE_RETRY_AFTER_S } from '../db/pg-errors.js';
import { QUERY_TIMEOUT_MS, type Queryable } from '../db/pool.js';
import { type RetryOptions, withRetry, withTransaction } from '../db/transaction.js';
import { type DomainError, ERROR_STATUS, IntegrityError, LEDGER_REFUSAL_CODES, ledgerRefusal, UnavailableError } from '../errors.js';
import type { AccountId, Cents, TransferId } from '../ids.js';
import { tracing } from '../platform/tracing.js';
import { TransferResult } from './transfers.schemas.js';

/** What a movement may carry besides its money: the caller's reference and metadata (stored, returned). */
export interface Annotations {
  reference?: string;
  metadata?: Record<string, string>;
}

export type Movement =
  | ({
      kind: 'transfer';
      fromAccountId: AccountId;
      toAccountId: AccountId;
      amount: Cents;
      currency: string;
      /** When set, the from-account must belong to this user (else 403 forbidden). */
      actingOwner?: string;
      /** A hold (two-phase transfer): reserved for `timeoutSeconds`, posted or voided later. */
      hold?: { timeoutSeconds: number };
    } & Annotations)
  | ({ kind: 'deposit' | 'withdrawal'; accountId: AccountId; amount: Cents } & Annotations)
  /** Of a live hold: post all of it, or `amount` of it (the rest released); void it. */
  | { kind: 'post'; transferId: TransferId; amount?: Cents; actingOwner?: string }
  | { kind: 'void'; transferId: TransferId; actingOwner?: string }
  /** Of a posted transfer: back from its receiver to its sender, all that is not yet reversed or `amount`. */
  | ({ kind: 'reverse'; transferId: TransferId; amount?: Cents; actingOwner?: string } & Annotations)
  /** Account states: the acting owner (absent for a banker) must own the account. */
  | { kind: 'freeze' | 'unfreeze' | 'close'; accountId: AccountId; actingOwner?: string };

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
export type MovementAnswer<R extends LedgerResult = TransferResult> =
  | { ok: true; replayed: boolean; status: 200 | 201; result: R }
  | { ok: false; replayed: boolean; error: DomainError };

/** What a success carries: a TransferResult (money, holds), or the account (freeze, unfreeze, close). */
export type AccountResult = { account: Account };
export type LedgerResult = TransferResult | AccountResult;
type AccountKind = 'freeze' | 'unfreeze' | 'close';
const ACCOUNT_KINDS: ReadonlySet<Movement['kind']> = new Set<AccountKind>(['freeze', 'unfreeze', 'close']);
/** The answer an item of this movement gets: each is checked against its kind's schema (decode). */
export type AnswerTo<M extends Movement> = MovementAnswer<M['kind'] extends AccountKind ? AccountResult : TransferResult>;

// The call.

/**
 * One item as the function reads it: the SQL composite type `ledger_item`
 * (migrations/*_ledger_item_type.sql), filled from a JSON object by name. What an item does not need
 * is absent (NULL there), never a stand-in value.
 */
interface LedgerItem {
  kind: Movement['kind'];
  from_account_id?: AccountId;
  to_account_id?: AccountId;
  account_id?: AccountId;
  transfer_id?: TransferId;
  amount?: Cents;
  currency?: string;
  acting_owner?: string;
  pending?: true;
  timeout_seconds?: number;
  reference?: string;
  metadata?: Record<string, string>;
  key_user?: string;
  key?: string;
  /** bytea's input form: \\x and hex. */
  fingerprint?: string;
}

function toLedgerItem({ movement: m, idempotency: k }: MovementRequest): LedgerItem {
  let item: LedgerItem;
  switch (m.kind) {
    case 'transfer':
      item = { kind: m.kind, from_account_id: m.fromAccountId, to_account_id: m.toAccountId, amount: m.amount, currency: m.currency };
      if (m.hold) {
        item.pending = true;
        item.timeout_seconds = m.hold.timeoutSeconds;
      }
      break;
    case 'deposit':
    case 'withdrawal':
    case 'freeze':
    case 'unfreeze':
    case 'close':
      item = { kind: m.kind, account_id: m.accountId };
      if ('amount' in m) item.amount = m.amount;
      break;
    case 'post':
    case 'void':
    case 'reverse':
      item = { kind: m.kind, transfer_id: m.transferId };
      if ('amount' in m && m.amount !== undefined) item.amount = m.amount;
      break;
  }
  if ('actingOwner' in m && m.actingOwner !== undefined) item.acting_owner = m.actingOwner;
  if ('reference' in m && m.reference !== undefined) item.reference = m.reference;
  if ('metadata' in m && m.metadata !== undefined) item.metadata = m.metadata;
  if (k) {
    item.key_user = k.username;
    item.key = k.key;
    item.fingerprint = `\\x${k.fingerprint.toString('hex')}`;
  }
  return item;
}

/**
 * One answer row as the function returns it: a movement (201, the API's TransferResult JSON, built by
 * the function over the columns the schema names) or a refusal (its code, the field it concerns, the
 * detail). Checked by a validator compiled once: an answer of another shape is an IntegrityError that
 * names what differs, never a cast.
 */
const refusalRow = Type.Object({
  status: Type.Integer({ minimum: 400, maximum: 499 }),
  replayed: Type.Boolean(),
  code: Type.Enum(LEDGER_REFUSAL_CODES),
  field: Type.Union([Type.String(), Type.Null()]),
  detail: Type.String(),
  result: Type.Null(),
});
const successRow = <T extends TSchema>(result: T) =>
  Type.Object({
    status: Type.Union([Type.Literal(200), Type.Literal(201)]),
    replayed: Type.Boolean(),
    code: Type.Null(),
    field: Type.Null(),
    detail: Type.Null(),
    result,
  });
/** Per kind of item: a money movement answers a TransferResult, an account state change its account. */
const transferRow = Compile(Type.Union([successRow(TransferResult), refusalRow]));
const accountRow = Compile(Type.Union([successRow(Type.Object({ account: Account }, { additionalProperties: false })), refusalRow]));

function decode(row: unknown, kind: Movement['kind']): MovementAnswer<LedgerResult> {
  const validator = ACCOUNT_KINDS.has(kind) ? accountRow : transferRow;
  if (!validator.Check(row)) {
    const why = validator
      .Errors(row)
      .slice(0, 3)
      .map((e) => `${e.instancePath || '/'} ${e.message}`)
      .join('; ');
    throw new IntegrityError(`ledger_apply answered a ${kind} item with a row of no known shape: ${why}`);
  }
  if (row.code === null) return { ok: true, replayed: row.replayed, status: row.status, result: row.result };
  if (row.status !== ERROR_STATUS[row.code]) {
    throw new IntegrityError(`ledger_apply answered ${row.code} with status ${row.status}, the contract says ${ERROR_STATUS[row.code]}`);
  }
  return { ok: false, replayed: row.replayed, error: ledgerRefusal(row.code, row.detail, row.field) };
}

/**
 * One call of the ledger function for these items, in order; answers in the same order. Runs in
 * the caller's transaction when `db` is a client, else as one autocommitted statement (one COMMIT
 * for the batch). Does not retry and does not split: the group commit does.
 */
export async function applyBatch(
  db: Queryable,
  requests: readonly MovementRequest[],
  keyTtlMs: number,
): Promise<MovementAnswer<LedgerResult>[]> {
  const rows = await ledgerApply.run({ items: JSON.stringify(requests.map(toLedgerItem)), keyTtlMs }, db);
  if (rows.length !== requests.length) throw new IntegrityError(`ledger_apply answered ${rows.length} items for ${requests.length}`);
  return rows.map((row, i) => decode(row, requests[i]!.movement.kind));
}

/** One movement's answer, typed by its kind (decode checked it against that kind's schema). */
export async function applyOne<M extends Movement>(
  db: Queryable,
  request: MovementRequest & { movement: M },
  keyTtlMs: number,
): Promise<AnswerTo<M>> {
  const [answer] = await applyBatch(db, [request], keyTtlMs);
  return answer as AnswerTo<M>;
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
  /**
   * Each movement is answered within this many ms of its request's arrival (the contract: within 10 s,
   * 503 when the database does not answer): ANSWER_WITHIN_MS by default.
   */
  answerWithinMs?: number;
  /** The longest a ledger call can take before its own timeouts end it: QUERY_TIMEOUT_MS by default. */
  callBoundMs?: number;
}

/** The contract's 10 s, less what answering takes once the movement's fate is known. */
export const ANSWER_WITHIN_MS = 9_500;

/** How one movement waits: who is waiting, since when, and until when. */
export interface SubmitOptions {
  /** Aborted when the caller stops waiting: a movement still queued is dropped with the signal's reason. */
  signal?: AbortSignal;
  /** performance.now() when the request arrived (default: when submitted): its answer is due from then. */
  receivedAt?: number;
  /**
   * The caller's own deadline (performance.now() time; a gRPC timeout), and the error it is answered
   * with when that passes before the movement is sent: then it never reaches the ledger.
   */
  deadline?: { at: number; error: () => unknown };
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
   * movement whose `signal` aborts, or whose deadline passes, while it still waits for a slot is dropped
   * and never reaches the ledger; once sent, it keeps the ledger's outcome. Answered 503 `unavailable`
   * when `answerWithinMs` after its arrival have passed first.
   */
  submit<M extends Movement>(request: MovementRequest & { movement: M }, opts?: SubmitOptions): Promise<AnswerTo<M>>;
  /** Items waiting for a slot, and calls in flight. */
  readonly pending: { queued: number; inFlight: number };
  readonly stats: GroupCommitStats;
}

interface Waiting {
  request: MovementRequest;
  /** The span of the request that submitted it (tracing on), linked from the ledger call's span. */
  link: unknown;
  resolve: (a: MovementAnswer<LedgerResult>) => void;
  reject: (e: unknown) => void;
  /** performance.now() when submitted. */
  at: number;
  deadline?: SubmitOptions['deadline'];
}

export function createGroupCommit(pool: pg.Pool, opts: GroupCommitOptions): GroupCommit {
  const maxBatch = opts.maxBatch ?? 64;
  const maxInFlight = opts.maxInFlight ?? 2;
  const answerWithinMs = opts.answerWithinMs ?? ANSWER_WITHIN_MS;
  const callBoundMs = Math.min(opts.callBoundMs ?? QUERY_TIMEOUT_MS, answerWithinMs);
  const queue: Waiting[] = [];
  const stats: GroupCommitStats = { batches: 0, items: 0, largestBatch: 0, splits: 0 };
  let inFlight = 0;

  function pump(): void {
    while (inFlight < maxInFlight && queue.length > 0) {
      let batch = queue.splice(0, maxBatch);
      // A caller whose deadline has passed is no longer waiting: its movement must not move money.
      if (batch.some((w) => w.deadline)) {
        const now = performance.now();
        batch = batch.filter((w) => {
          if (!w.deadline || w.deadline.at > now) return true;
          w.reject(w.deadline.error());
          return false;
        });
        if (batch.length === 0) continue;
      }
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
    let answers: MovementAnswer<LedgerResult>[];
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
      // Retries used up or the database gone (both 503 at the operation boundary): the same answer
      // for every item, no split.
      if (batch.length === 1 || isRetryable(err) || isUnavailable(err)) {
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
    submit<M extends Movement>(request: MovementRequest & { movement: M }, submitted: SubmitOptions = {}) {
      const { signal, deadline } = submitted;
      // Each answer was checked against its item's kind (decode): it is the AnswerTo of its movement.
      return new Promise<MovementAnswer<LedgerResult>>((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason);
        const now = performance.now();
        if (deadline && deadline.at <= now) return reject(deadline.error());
        const waiting: Waiting = { request, resolve, reject, link: tracing.link(), at: now, deadline };
        const queued = () => {
          const i = queue.indexOf(waiting);
          if (i >= 0) queue.splice(i, 1);
          return i >= 0;
        };
        const drop = () => {
          if (queued()) waiting.reject(signal!.reason);
        };
        // Past the last moment it could be sent and still be answered in time, a queued movement is
        // dropped (nothing moved); one in a call that outlives its bound is answered when due (unknown).
        const answerBy = (submitted.receivedAt ?? now) + answerWithinMs;
        const late = () => {
          if (queued()) {
            waiting.reject(
              new UnavailableError(
                'the database did not take the movement in time: nothing moved; retry with the same Idempotency-Key',
                UNAVAILABLE_RETRY_AFTER_S,
                'timeout',
              ),
            );
          } else {
            due = setTimeout(
              () =>
                waiting.reject(
                  new UnavailableError(
                    'the database did not answer in time: the outcome is unknown; retry with the same Idempotency-Key',
                    UNAVAILABLE_RETRY_AFTER_S,
                    'timeout',
                  ),
                ),
              Math.max(0, answerBy - performance.now()),
            );
          }
        };
        let due = setTimeout(late, Math.max(0, answerBy - callBoundMs - now));
        signal?.addEventListener('abort', drop, { once: true });
        const settle =
          <T>(f: (v: T) => void) =>
          (v: T) => {
            clearTimeout(due);
            signal?.removeEventListener('abort', drop);
            f(v);
          };
        waiting.resolve = settle(resolve);
        waiting.reject = settle(reject);
        queue.push(waiting);
        pump();
      }) as Promise<AnswerTo<M>>;
    },
    get pending() {
      return { queued: queue.length, inFlight };
    },
    stats,
  };
}
