// Rows are not DTOs: int8 text becomes safe integers of their brand, dates become RFC 3339 strings.
import { fromInt8, type AccountId, type Cents, type EntryId, type Int8, type TransferId } from '../ids.js';
import type { Currency } from '../schemas.js';
import type { Account, Entry } from './accounts.schemas.js';

interface AccountRow {
  id: Int8<AccountId>;
  owner: string;
  balance: Int8<Cents>;
  currency: string;
  created_at: Date;
}
interface EntryRow {
  id: Int8<EntryId>;
  account_id: Int8<AccountId>;
  amount: Int8<Cents>;
  transfer_id: Int8<TransferId>;
  created_at: Date;
}

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
