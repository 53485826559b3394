// Rows are not DTOs: int8 strings become safe integers, dates become RFC 3339 strings.
import { toSafeInt } from '../db/one.js';
import type { Currency } from '../schemas.js';
import type { Account, Entry } from './accounts.schemas.js';

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
