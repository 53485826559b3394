// Rows are not DTOs: int8 strings become safe integers, dates become RFC 3339 strings.
import { toSafeInt } from '../db/one.js';
import type { Currency } from '../schemas/common.js';
import type { Account, Entry, Transfer } from '../schemas/ledger.js';
import type { ITransferTxResult } from '../../generated/transfers.queries.js';

interface AccountRow {
  id: string;
  owner: string;
  balance: string;
  currency: string;
  created_at: Date;
}
interface EntryRow {
  id: string;
  account_id: string;
  amount: string;
  transfer_id: string;
  created_at: Date;
}
interface TransferRow {
  id: string;
  from_account_id: string;
  to_account_id: string;
  amount: string;
  created_at: Date;
}

export const toAccount = (r: AccountRow): Account => ({
  id: toSafeInt(r.id),
  owner: r.owner,
  balance: toSafeInt(r.balance),
  currency: r.currency as Currency,
  created_at: r.created_at.toISOString(),
});

export const toEntry = (r: EntryRow): Entry => ({
  id: toSafeInt(r.id),
  account_id: toSafeInt(r.account_id),
  amount: toSafeInt(r.amount),
  transfer_id: toSafeInt(r.transfer_id),
  created_at: r.created_at.toISOString(),
});

export const toTransfer = (r: TransferRow): Transfer => ({
  id: toSafeInt(r.id),
  from_account_id: toSafeInt(r.from_account_id),
  to_account_id: toSafeInt(r.to_account_id),
  amount: toSafeInt(r.amount),
  created_at: r.created_at.toISOString(),
});

/** Everything one money movement wrote. */
export interface TransferOutcome {
  transfer: Transfer;
  from_account: Account;
  to_account: Account;
  from_entry: Entry;
  to_entry: Entry;
}

export function toTransferOutcome(r: ITransferTxResult): TransferOutcome {
  return {
    transfer: toTransfer({
      id: r.transfer_id,
      from_account_id: r.from_account_id,
      to_account_id: r.to_account_id,
      amount: r.transfer_amount,
      created_at: r.transfer_created_at,
    }),
    from_account: toAccount({
      id: r.from_account_id,
      owner: r.from_owner,
      balance: r.from_balance,
      currency: r.from_currency,
      created_at: r.from_created_at,
    }),
    to_account: toAccount({
      id: r.to_account_id,
      owner: r.to_owner,
      balance: r.to_balance,
      currency: r.to_currency,
      created_at: r.to_created_at,
    }),
    from_entry: toEntry({
      id: r.from_entry_id,
      account_id: r.from_account_id,
      amount: r.from_entry_amount,
      transfer_id: r.transfer_id,
      created_at: r.entries_created_at,
    }),
    to_entry: toEntry({
      id: r.to_entry_id,
      account_id: r.to_account_id,
      amount: r.to_entry_amount,
      transfer_id: r.transfer_id,
      created_at: r.entries_created_at,
    }),
  };
}
