/** Types generated for queries found in "sql/entries.sql" */
import { PreparedQuery } from '@pgtyped/runtime';

import type { AccountId, Cents, EntryId, Int8, TransferId } from '../src/ids.js';

export type NumberOrString = number | string;

/** 'ListEntries' parameters type */
export interface IListEntriesParams {
  accountId: AccountId;
  beforeId: EntryId;
  limit: NumberOrString;
}

/** 'ListEntries' return type */
export interface IListEntriesResult {
  account_id: Int8<AccountId>;
  amount: Int8<Cents>;
  balance_after: string;
  created_at: Date;
  id: Int8<EntryId>;
  transfer_id: Int8<TransferId>;
}

/** 'ListEntries' query type */
export interface IListEntriesQuery {
  params: IListEntriesParams;
  result: IListEntriesResult;
}

const listEntriesIR: any = {"usedParamSet":{"accountId":true,"beforeId":true,"limit":true},"params":[{"name":"accountId","required":true,"transform":{"type":"scalar"},"locs":[{"a":118,"b":128}]},{"name":"beforeId","required":true,"transform":{"type":"scalar"},"locs":[{"a":230,"b":239},{"a":296,"b":305}]},{"name":"limit","required":true,"transform":{"type":"scalar"},"locs":[{"a":362,"b":368}]}],"statement":"SELECT e.id, e.account_id, e.amount, e.transfer_id, e.created_at, e.balance_after\nFROM entries e\nWHERE e.account_id = :accountId!::account_id\n  AND (e.created_at, e.id) < (coalesce((SELECT c.created_at FROM entries c WHERE c.id = :beforeId!::entry_id), 'infinity'),\n                              :beforeId!::entry_id)\nORDER BY e.created_at DESC, e.id DESC\nLIMIT :limit!"};

/**
 * Query generated from SQL:
 * ```
 * SELECT e.id, e.account_id, e.amount, e.transfer_id, e.created_at, e.balance_after
 * FROM entries e
 * WHERE e.account_id = :accountId!::account_id
 *   AND (e.created_at, e.id) < (coalesce((SELECT c.created_at FROM entries c WHERE c.id = :beforeId!::entry_id), 'infinity'),
 *                               :beforeId!::entry_id)
 * ORDER BY e.created_at DESC, e.id DESC
 * LIMIT :limit!
 * ```
 */
export const listEntries = new PreparedQuery<IListEntriesParams,IListEntriesResult>(listEntriesIR);


/** 'ListEntriesOfTransfer' parameters type */
export interface IListEntriesOfTransferParams {
  transferId: TransferId;
}

/** 'ListEntriesOfTransfer' return type */
export interface IListEntriesOfTransferResult {
  account_id: Int8<AccountId>;
  amount: Int8<Cents>;
  balance_after: string;
  created_at: Date;
  id: Int8<EntryId>;
  transfer_id: Int8<TransferId>;
}

/** 'ListEntriesOfTransfer' query type */
export interface IListEntriesOfTransferQuery {
  params: IListEntriesOfTransferParams;
  result: IListEntriesOfTransferResult;
}

const listEntriesOfTransferIR: any = {"usedParamSet":{"transferId":true},"params":[{"name":"transferId","required":true,"transform":{"type":"scalar"},"locs":[{"a":103,"b":114}]}],"statement":"SELECT id, account_id, amount, transfer_id, created_at, balance_after\nFROM entries\nWHERE transfer_id = :transferId!::transfer_id\nORDER BY id"};

/**
 * Query generated from SQL:
 * ```
 * SELECT id, account_id, amount, transfer_id, created_at, balance_after
 * FROM entries
 * WHERE transfer_id = :transferId!::transfer_id
 * ORDER BY id
 * ```
 */
export const listEntriesOfTransfer = new PreparedQuery<IListEntriesOfTransferParams,IListEntriesOfTransferResult>(listEntriesOfTransferIR);


