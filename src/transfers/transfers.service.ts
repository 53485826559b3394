// Where a transfer is made. Every money movement — transfer, deposit, withdrawal, with or without
// an Idempotency-Key — is an item of ONE call of the ledger function `transfer_tx_batch`
// (migrations/*_transfer_tx_batch.sql): it locks every account of the call in ascending id order,
// applies the items in order with the rules checked per item, and writes transfers, entries,
// balances and stored idempotent answers, all in one transaction. A single movement is a batch of
// one; src/transfers/group-commit.ts gathers concurrent requests into larger ones.
import { transferTxBatch } from '../../generated/transfers.queries.js';
import {
  ConflictError,
  type DomainError,
  ForbiddenError,
  LedgerRefusal,
  NotFoundError,
  RuleViolationError,
  ValidationError,
  type ErrorCode,
} from '../errors.js';
import type { Queryable } from '../db/pool.js';
import type { AccountId, Cents } from '../ids.js';
import { withRetry, type RetryOptions } from '../db/transaction.js';
import type { Account } from '../accounts/accounts.schemas.js';
import type { TransferResult } from './transfers.schemas.js';

export type FundingDirection = 'deposit' | 'withdrawal';

export type Movement =
  | {
      kind: 'transfer';
      fromAccountId: AccountId;
      toAccountId: AccountId;
      amount: Cents;
      currency: string;
      /** When set, the from-account must belong to this user (else 403 forbidden). */
      actingOwner?: string | null;
    }
  | { kind: FundingDirection; accountId: AccountId; amount: Cents };

/** An Idempotency-Key claim: the caller it is scoped to, the key, and the request's fingerprint. */
export interface IdempotencyClaim {
  username: string;
  key: string;
  fingerprint: Buffer;
}

export interface MovementRequest {
  movement: Movement;
  idempotency?: IdempotencyClaim;
}

/** What one item answered. A refusal is a DomainError value, not a throw: its neighbours went on. */
export type MovementAnswer =
  | { ok: true; replayed: boolean; result: TransferResult; /** absent on a replay */ toAccount?: Account }
  | { ok: false; replayed: boolean; error: DomainError };

/** Everything one movement wrote, for internal callers (the receiver's account included). */
export interface TransferOutcome extends TransferResult {
  to_account: Account;
}

export function checkAmount(amount: number): void {
  if (!Number.isSafeInteger(amount) || amount <= 0) {
    throw new ValidationError('amount', 'must be an integer from 1 to 9007199254740991');
  }
}

/** A refusal as the ledger function reports it (status, contract code, detail) → the typed error. */
export function refusal(status: number, code: string, detail: string): DomainError {
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

interface StoredRefusal {
  code: string;
  detail: string;
}

/**
 * One call of the ledger function for these requests, in order; answers in the same order. Runs in
 * the caller's transaction when `db` is a client, else as one autocommitted statement (one COMMIT
 * for the batch). Does not retry and does not split: see `applyWithRetry` and the group commit.
 */
export async function applyBatch(db: Queryable, requests: readonly MovementRequest[], keyTtlMs: number): Promise<MovementAnswer[]> {
  const n = requests.length;
  const kinds: string[] = new Array(n);
  const fromIds: number[] = new Array(n);
  const toIds: number[] = new Array(n);
  const amounts: number[] = new Array(n);
  const currencies: string[] = new Array(n);
  const owners: string[] = new Array(n);
  const keyUsers: string[] = new Array(n);
  const keys: string[] = new Array(n);
  const fingerprints: Buffer[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const { movement: m, idempotency: k } = requests[i]!;
    checkAmount(m.amount);
    kinds[i] = m.kind;
    amounts[i] = m.amount;
    if (m.kind === 'transfer') {
      fromIds[i] = m.fromAccountId;
      toIds[i] = m.toAccountId;
      currencies[i] = m.currency;
      owners[i] = m.actingOwner ?? '';
    } else {
      fromIds[i] = m.accountId;
      toIds[i] = 0;
      currencies[i] = '';
      owners[i] = '';
    }
    keyUsers[i] = k?.username ?? '';
    keys[i] = k?.key ?? '';
    fingerprints[i] = k?.fingerprint ?? EMPTY;
  }
  const rows = await transferTxBatch.run(
    { kinds, fromIds, toIds, amounts, currencies, owners, keyUsers, keys, fingerprints, keyTtlMs },
    prepared(db),
  );
  if (rows.length !== n) throw new Error(`transfer_tx_batch answered ${rows.length} items for ${n}`);
  return rows.map((r): MovementAnswer => {
    if (r.status === 201) {
      const result = r.result as unknown as TransferResult;
      return r.replayed
        ? { ok: true, replayed: true, result }
        : { ok: true, replayed: false, result, toAccount: r.to_account as unknown as Account };
    }
    if (r.replayed) {
      // A stored refusal holds its code and detail (older rows: the whole problem body, which has both).
      const stored = r.result as unknown as StoredRefusal;
      return { ok: false, replayed: true, error: refusal(r.status, stored.code, stored.detail) };
    }
    return { ok: false, replayed: false, error: refusal(r.status, r.code ?? 'internal', r.detail ?? '') };
  });
}

const EMPTY = Buffer.alloc(0);

/** The batch statement as a named prepared statement: parsed and planned once per connection. */
function prepared(db: Queryable): Queryable {
  return {
    query: (text: string, values?: unknown[]) => db.query({ name: 'transfer_tx_batch', text, values: values as unknown[] }),
  } as Queryable;
}

/** A batch with bounded retry on deadlock/serialization failure; other errors come out typed. */
export function applyWithRetry(
  db: Queryable,
  requests: readonly MovementRequest[],
  keyTtlMs: number,
  retry?: RetryOptions,
): Promise<MovementAnswer[]> {
  return withRetry(() => applyBatch(db, requests, keyTtlMs), retry);
}

/** One movement, alone, for internal callers: the outcome, or its refusal thrown as a typed error. */
export async function move(db: Queryable, movement: Movement, retry?: RetryOptions): Promise<TransferOutcome> {
  const [answer] = await applyWithRetry(db, [{ movement }], 0, retry);
  if (!answer!.ok) throw answer!.error;
  return { ...answer!.result, to_account: answer!.toAccount! };
}

export function transfer(
  db: Queryable,
  input: Omit<Extract<Movement, { kind: 'transfer' }>, 'kind'>,
  retry?: RetryOptions,
): Promise<TransferOutcome> {
  return move(db, { kind: 'transfer', ...input }, retry);
}

export function deposit(db: Queryable, accountId: AccountId, amount: Cents, retry?: RetryOptions) {
  return move(db, { kind: 'deposit', accountId, amount }, retry);
}

export function withdraw(db: Queryable, accountId: AccountId, amount: Cents, retry?: RetryOptions) {
  return move(db, { kind: 'withdrawal', accountId, amount }, retry);
}
