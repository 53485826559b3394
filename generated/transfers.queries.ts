/** Types generated for queries found in "sql/transfers.sql" */
import { PreparedQuery } from '@pgtyped/runtime';

import type { AccountId, Cents, Int8, TransferId } from '../src/ids.js';

export type BufferArray = (Buffer)[];

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export type NumberOrString = number | string;

export type NumberOrStringArray = (NumberOrString)[];

export type stringArray = (string)[];

/** 'TransferTxBatch' parameters type */
export interface ITransferTxBatchParams {
  amounts: NumberOrStringArray;
  currencies: stringArray;
  fingerprints: BufferArray;
  fromIds: NumberOrStringArray;
  keys: stringArray;
  keyTtlMs: NumberOrString;
  keyUsers: stringArray;
  kinds: stringArray;
  owners: stringArray;
  toIds: NumberOrStringArray;
}

/** 'TransferTxBatch' return type */
export interface ITransferTxBatchResult {
  code: string | null;
  detail: string | null;
  ord: number;
  replayed: boolean;
  result: Json | null;
  status: number;
  to_account: Json | null;
}

/** 'TransferTxBatch' query type */
export interface ITransferTxBatchQuery {
  params: ITransferTxBatchParams;
  result: ITransferTxBatchResult;
}

const transferTxBatchIR: any = {"usedParamSet":{"kinds":true,"fromIds":true,"toIds":true,"amounts":true,"currencies":true,"owners":true,"keyUsers":true,"keys":true,"fingerprints":true,"keyTtlMs":true},"params":[{"name":"kinds","required":true,"transform":{"type":"scalar"},"locs":[{"a":124,"b":130}]},{"name":"fromIds","required":true,"transform":{"type":"scalar"},"locs":[{"a":133,"b":141}]},{"name":"toIds","required":true,"transform":{"type":"scalar"},"locs":[{"a":144,"b":150}]},{"name":"amounts","required":true,"transform":{"type":"scalar"},"locs":[{"a":153,"b":161}]},{"name":"currencies","required":true,"transform":{"type":"scalar"},"locs":[{"a":164,"b":175}]},{"name":"owners","required":true,"transform":{"type":"scalar"},"locs":[{"a":178,"b":185}]},{"name":"keyUsers","required":true,"transform":{"type":"scalar"},"locs":[{"a":211,"b":220}]},{"name":"keys","required":true,"transform":{"type":"scalar"},"locs":[{"a":223,"b":228}]},{"name":"fingerprints","required":true,"transform":{"type":"scalar"},"locs":[{"a":231,"b":244}]},{"name":"keyTtlMs","required":true,"transform":{"type":"scalar"},"locs":[{"a":247,"b":256}]}],"statement":"SELECT ord AS \"ord!\", status AS \"status!\", code, detail, replayed AS \"replayed!\", result, to_account\nFROM transfer_tx_batch(:kinds!, :fromIds!, :toIds!, :amounts!, :currencies!, :owners!,\n                       :keyUsers!, :keys!, :fingerprints!, :keyTtlMs!)"};

/**
 * Query generated from SQL:
 * ```
 * SELECT ord AS "ord!", status AS "status!", code, detail, replayed AS "replayed!", result, to_account
 * FROM transfer_tx_batch(:kinds!, :fromIds!, :toIds!, :amounts!, :currencies!, :owners!,
 *                        :keyUsers!, :keys!, :fingerprints!, :keyTtlMs!)
 * ```
 */
export const transferTxBatch = new PreparedQuery<ITransferTxBatchParams,ITransferTxBatchResult>(transferTxBatchIR);


/** 'GetTransfer' parameters type */
export interface IGetTransferParams {
  id: TransferId;
}

/** 'GetTransfer' return type */
export interface IGetTransferResult {
  amount: Int8<Cents>;
  created_at: Date;
  currency: string;
  from_account_id: Int8<AccountId>;
  from_owner: string;
  id: Int8<TransferId>;
  to_account_id: Int8<AccountId>;
  to_owner: string;
}

/** 'GetTransfer' query type */
export interface IGetTransferQuery {
  params: IGetTransferParams;
  result: IGetTransferResult;
}

const getTransferIR: any = {"usedParamSet":{"id":true},"params":[{"name":"id","required":true,"transform":{"type":"scalar"},"locs":[{"a":251,"b":254}]}],"statement":"SELECT t.id, t.from_account_id, t.to_account_id, t.amount, t.currency, t.created_at,\n       f.owner AS from_owner, r.owner AS to_owner\nFROM transfers t\nJOIN accounts f ON f.id = t.from_account_id\nJOIN accounts r ON r.id = t.to_account_id\nWHERE t.id = :id!::transfer_id"};

/**
 * Query generated from SQL:
 * ```
 * SELECT t.id, t.from_account_id, t.to_account_id, t.amount, t.currency, t.created_at,
 *        f.owner AS from_owner, r.owner AS to_owner
 * FROM transfers t
 * JOIN accounts f ON f.id = t.from_account_id
 * JOIN accounts r ON r.id = t.to_account_id
 * WHERE t.id = :id!::transfer_id
 * ```
 */
export const getTransfer = new PreparedQuery<IGetTransferParams,IGetTransferResult>(getTransferIR);


