// Rows are not DTOs: int8 text becomes safe integers of their brand, dates become RFC 3339 strings.
import { fromInt8, type AccountId, type Cents, type Int8, type TransferId } from '../ids.js';
import type { Transfer } from './transfers.schemas.js';

interface TransferRow {
  id: Int8<TransferId>;
  from_account_id: Int8<AccountId>;
  to_account_id: Int8<AccountId>;
  amount: Int8<Cents>;
  created_at: Date;
}

export const toTransfer = (r: TransferRow): Transfer => ({
  id: fromInt8(r.id),
  from_account_id: fromInt8(r.from_account_id),
  to_account_id: fromInt8(r.to_account_id),
  amount: fromInt8(r.amount),
  created_at: r.created_at.toISOString(),
});
