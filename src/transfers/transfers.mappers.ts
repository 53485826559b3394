// Rows are not DTOs: int8 text becomes safe integers of their brand, dates become RFC 3339 strings.
import type { IGetTransferResult } from '../../generated/transfers.queries.js';
import { fromInt8 } from '../ids.js';
import type { Transfer } from './transfers.schemas.js';

/** The columns of a transfer row, as pgtyped types them. */
type TransferRow = Pick<IGetTransferResult, 'id' | 'from_account_id' | 'to_account_id' | 'amount' | 'created_at'>;

export const toTransfer = (r: TransferRow): Transfer => ({
  id: fromInt8(r.id),
  from_account_id: fromInt8(r.from_account_id),
  to_account_id: fromInt8(r.to_account_id),
  amount: fromInt8(r.amount),
  created_at: r.created_at.toISOString(),
});
