// Rows are not DTOs: int8 text becomes safe integers of their brand, dates become RFC 3339 strings.
import type { ICreateAccountResult } from '../../generated/accounts.queries.js';
import type { IListEntriesResult } from '../../generated/entries.queries.js';
import { type Cents, fromInt8 } from '../ids.js';
import type { Currency } from '../schemas.js';
import type { Account, Entry } from './accounts.schemas.js';

/** The columns of an account row and of an entry row, as pgtyped types them. */
type AccountRow = Pick<
  ICreateAccountResult,
  'id' | 'owner' | 'balance' | 'currency' | 'created_at' | 'status' | 'pending_debits' | 'pending_credits'
>;
type EntryRow = IListEntriesResult;

export function toAccount(r: AccountRow): Account {
  const balance = fromInt8(r.balance);
  const pendingDebits = fromInt8(r.pending_debits) as Cents;
  return {
    id: fromInt8(r.id),
    owner: r.owner,
    balance,
    currency: r.currency as Currency,
    created_at: r.created_at.toISOString(),
    status: r.status as Account['status'],
    pending_debits: pendingDebits,
    pending_credits: fromInt8(r.pending_credits) as Cents,
    available_balance: (balance - pendingDebits) as Cents,
  };
}

export const toEntry = (r: EntryRow): Entry => ({
  id: fromInt8(r.id),
  account_id: fromInt8(r.account_id),
  amount: fromInt8(r.amount),
  transfer_id: fromInt8(r.transfer_id),
  created_at: r.created_at.toISOString(),
  balance_after: fromInt8(r.balance_after) as Cents,
});
