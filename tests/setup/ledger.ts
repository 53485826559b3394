// Tests only: one movement through the ledger alone (no group commit), its refusal thrown as a typed
// error. The service moves money through the operations and the group commit; these reach the same
// ledger call directly, for tests of its rules and concurrency.
import type { Queryable } from '../../src/db/pool.js';
import { type RetryOptions, withRetry } from '../../src/db/transaction.js';
import type { AccountId, Cents } from '../../src/ids.js';
import { applyOne, type Movement } from '../../src/transfers/ledger.js';
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
