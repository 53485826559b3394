// Tests only: one movement through the ledger alone (no group commit), its refusal thrown as a typed
// error. The service moves money through the operations and the group commit; these reach the same
// ledger call directly, for tests of its rules and concurrency.
import type { Queryable } from '../../src/db/pool.js';
import { type RetryOptions, withRetry } from '../../src/db/transaction.js';
import type { AccountId, Cents, TransferId } from '../../src/ids.js';
import { applyOne, type Movement, type MovementRequest } from '../../src/transfers/ledger.js';
import type { TransferResult } from '../../src/transfers/transfers.schemas.js';

/** What one movement answered. */
export type TransferOutcome = TransferResult;

export async function move(
  db: Queryable,
  movement: Movement & { kind: 'transfer' | 'deposit' | 'withdrawal' },
  retry?: RetryOptions,
): Promise<TransferOutcome> {
  const answer = await withRetry(() => applyOne(db, { movement }, 0), retry);
  if (!answer.ok) throw answer.error;
  return answer.result;
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

/** Any movement, its answer as the ledger gave it (a refusal is a value here, not a throw). */
export function act<M extends Movement>(db: Queryable, movement: M, idempotency?: MovementRequest['idempotency'], retry?: RetryOptions) {
  return withRetry(() => applyOne(db, { movement, ...(idempotency ? { idempotency } : {}) }, 24 * 3600 * 1000), retry);
}

/** A hold (pending transfer) that must succeed: its transfer id. */
export async function hold(
  db: Queryable,
  input: Omit<Extract<Movement, { kind: 'transfer' }>, 'kind' | 'hold'> & { timeoutSeconds?: number },
): Promise<TransferId> {
  const { timeoutSeconds = 3600, ...rest } = input;
  const answer = await act(db, { kind: 'transfer', ...rest, hold: { timeoutSeconds } });
  if (!answer.ok) throw answer.error;
  return answer.result.transfer.id;
}
