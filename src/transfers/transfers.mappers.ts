// Rows are not DTOs: int8 text becomes safe integers of their brand, dates become RFC 3339 strings.
import type { IGetTransferResult } from '../../generated/transfers.queries.js';
import { type Cents, fromInt8, type TransferId } from '../ids.js';
import type { Transfer } from './transfers.schemas.js';

/** The columns of a transfer row, as pgtyped types them. */
type TransferRow = Omit<IGetTransferResult, 'from_owner' | 'to_owner' | 'currency'>;

export const toTransfer = (r: TransferRow): Transfer => ({
  id: fromInt8(r.id),
  from_account_id: fromInt8(r.from_account_id),
  to_account_id: fromInt8(r.to_account_id),
  amount: fromInt8(r.amount),
  created_at: r.created_at.toISOString(),
  status: r.status as Transfer['status'],
  posted_amount: fromInt8(r.posted_amount) as Cents,
  expires_at: r.expires_at ? r.expires_at.toISOString() : null,
  reference: r.reference,
  metadata: (r.metadata ?? {}) as Transfer['metadata'],
  reverses_transfer_id: r.reverses_transfer_id === null ? null : (fromInt8(r.reverses_transfer_id) as TransferId),
});
