// Rows are not DTOs: int8 strings become safe integers, dates become RFC 3339 strings.
import { toSafeInt } from '../db/one.js';
import type { Transfer } from './transfers.schemas.js';

interface TransferRow {
  id: string;
  from_account_id: string;
  to_account_id: string;
  amount: string;
  created_at: Date;
}

export const toTransfer = (r: TransferRow): Transfer => ({
  id: toSafeInt(r.id),
  from_account_id: toSafeInt(r.from_account_id),
  to_account_id: toSafeInt(r.to_account_id),
  amount: toSafeInt(r.amount),
  created_at: r.created_at.toISOString(),
});
