// Where a transfer is made. Each money movement is ONE call of a ledger function in Postgres
// (migrations/*_transfer_functions.sql): it locks both accounts in ascending id order, checks the
// rules, and writes the transfer, both entries and both balances, or nothing.
import { fundingTx, transferTx as transferTxQuery } from '../../generated/transfers.queries.js';
import { ValidationError } from '../db/errors.js';
import { one } from '../db/one.js';
import type { Queryable } from '../db/pool.js';
import { withRetry, type RetryOptions } from '../db/transaction.js';
import { toTransferOutcome, type TransferOutcome } from './ledger.mappers.js';

export interface TransferInput {
  fromAccountId: number;
  toAccountId: number;
  amount: number;
  currency: string;
  /** When set, the from-account must belong to this user (else ForbiddenError). */
  actingOwner?: string | null;
}

function checkAmount(amount: number): void {
  if (!Number.isSafeInteger(amount) || amount <= 0) {
    throw new ValidationError('amount', 'must be an integer from 1 to 9007199254740991');
  }
}

/**
 * Moves money inside the caller's transaction when `db` is a transaction client, or as one
 * autocommitted statement when `db` is the pool. Does not retry: see `transfer`.
 */
export async function transferTx(db: Queryable, input: TransferInput): Promise<TransferOutcome> {
  checkAmount(input.amount);
  const rows = await transferTxQuery.run(
    {
      fromAccountId: input.fromAccountId,
      toAccountId: input.toAccountId,
      amount: input.amount,
      currency: input.currency,
      actingOwner: input.actingOwner ?? null,
    },
    db,
  );
  return toTransferOutcome(one(rows, 'transfer'));
}

export type FundingDirection = 'deposit' | 'withdrawal';

/** A deposit or withdrawal: a transfer between the account and its currency's funding account. */
export async function fundingTxIn(
  db: Queryable,
  input: { accountId: number; amount: number; direction: FundingDirection },
): Promise<TransferOutcome> {
  checkAmount(input.amount);
  const rows = await fundingTx.run(
    { accountId: input.accountId, amount: input.amount, direction: input.direction },
    db,
  );
  return toTransferOutcome(one(rows, 'transfer'));
}

/** TransferTx with bounded retry on deadlock/serialization failure; errors come out typed. */
export function transfer(pool: Queryable, input: TransferInput, retry?: RetryOptions): Promise<TransferOutcome> {
  return withRetry(() => transferTx(pool, input), retry);
}

export function deposit(pool: Queryable, accountId: number, amount: number, retry?: RetryOptions) {
  return withRetry(() => fundingTxIn(pool, { accountId, amount, direction: 'deposit' }), retry);
}

export function withdraw(pool: Queryable, accountId: number, amount: number, retry?: RetryOptions) {
  return withRetry(() => fundingTxIn(pool, { accountId, amount, direction: 'withdrawal' }), retry);
}
