/** Types generated for queries found in "sql/entries.sql" */
import { PreparedQuery } from '@pgtyped/runtime';

export type NumberOrString = number | string;

/** 'ListEntries' parameters type */
export interface IListEntriesParams {
  accountId: NumberOrString;
  beforeId: NumberOrString;
  limit: NumberOrString;
}

/** 'ListEntries' return type */
export interface IListEntriesResult {
  account_id: string;
  amount: string;
  created_at: Date;
  id: string;
  transfer_id: string;
}

/** 'ListEntries' query type */
export interface IListEntriesQuery {
  params: IListEntriesParams;
  result: IListEntriesResult;
}

const listEntriesIR: any = {"usedParamSet":{"accountId":true,"beforeId":true,"limit":true},"params":[{"name":"accountId","required":true,"transform":{"type":"scalar"},"locs":[{"a":87,"b":97}]},{"name":"beforeId","required":true,"transform":{"type":"scalar"},"locs":[{"a":108,"b":117}]},{"name":"limit","required":true,"transform":{"type":"scalar"},"locs":[{"a":142,"b":148}]}],"statement":"SELECT id, account_id, amount, transfer_id, created_at\nFROM entries\nWHERE account_id = :accountId! AND id < :beforeId!\nORDER BY id DESC\nLIMIT :limit!"};

/**
 * Query generated from SQL:
 * ```
 * SELECT id, account_id, amount, transfer_id, created_at
 * FROM entries
 * WHERE account_id = :accountId! AND id < :beforeId!
 * ORDER BY id DESC
 * LIMIT :limit!
 * ```
 */
export const listEntries = new PreparedQuery<IListEntriesParams,IListEntriesResult>(listEntriesIR);


/** 'ListEntriesOfTransfer' parameters type */
export interface IListEntriesOfTransferParams {
  transferId: NumberOrString;
}

/** 'ListEntriesOfTransfer' return type */
export interface IListEntriesOfTransferResult {
  account_id: string;
  amount: string;
  created_at: Date;
  id: string;
  transfer_id: string;
}

/** 'ListEntriesOfTransfer' query type */
export interface IListEntriesOfTransferQuery {
  params: IListEntriesOfTransferParams;
  result: IListEntriesOfTransferResult;
}

const listEntriesOfTransferIR: any = {"usedParamSet":{"transferId":true},"params":[{"name":"transferId","required":true,"transform":{"type":"scalar"},"locs":[{"a":88,"b":99}]}],"statement":"SELECT id, account_id, amount, transfer_id, created_at\nFROM entries\nWHERE transfer_id = :transferId!\nORDER BY id"};

/**
 * Query generated from SQL:
 * ```
 * SELECT id, account_id, amount, transfer_id, created_at
 * FROM entries
 * WHERE transfer_id = :transferId!
 * ORDER BY id
 * ```
 */
export const listEntriesOfTransfer = new PreparedQuery<IListEntriesOfTransferParams,IListEntriesOfTransferResult>(listEntriesOfTransferIR);


