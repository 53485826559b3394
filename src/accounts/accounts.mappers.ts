// Rows are not DTOs: int8 text becomes safe integers of their brand, dates become RFC 3339 strings.
import type { ICreateAccountResult } from '../../generated/accounts.queries.js';
import type { IListEntriesResult } from '../../generated/entries.queries.js';
import { fromInt8 } from '../ids.js';
import type { Currency } from '../schemas.js';
import type { Account, Entry } from './accounts.schemas.js';

/** The columns of an account row and of an entry row, as pgtyped types them. */
type AccountRow = Pick<ICreateAccountResult, 'id' | 'owner' | 'balance' | 'currency' | 'created_at'>;
type EntryRow = IListEntriesResult;

export const toAccount = (r: AccountRow): Account => ({
  id: fromInt8(r.id),
  owner: r.owner,
  balance: fromInt8(r.balance),
  currency: r.currency as Currency,
  created_at: r.created_at.toISOString(),
});

export const toEntry = (r: EntryRow): Entry => ({
  id: fromInt8(r.id),
  account_id: fromInt8(r.account_id),
  amount: fromInt8(r.amount),
  transfer_id: fromInt8(r.transfer_id),
  created_at: r.created_at.toISOString(),
});
