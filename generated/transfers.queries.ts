/** Types generated for queries found in "sql/transfers.sql" */
import { PreparedQuery } from '@pgtyped/runtime';

import type { AccountId, Cents, Int8, TransferId } from '../src/ids.js';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export type NumberOrString = number | string;

/** 'LedgerApply' parameters type */
export interface ILedgerApplyParams {
  items: Json;
  keyTtlMs: NumberOrString;
}

/** 'LedgerApply' return type */
export interface ILedgerApplyResult {
  code: string | null;
  detail: string | null;
  field: string | null;
  replayed: boolean;
  result: Json | null;
  status: number;
}

/** 'LedgerApply' query type */
export interface ILedgerApplyQuery {
  params: ILedgerApplyParams;
  result: ILedgerApplyResult;
}

const ledgerApplyIR: any = {"usedParamSet":{"items":true,"keyTtlMs":true},"params":[{"name":"items","required":true,"transform":{"type":"scalar"},"locs":[{"a":99,"b":105}]},{"name":"keyTtlMs","required":true,"transform":{"type":"scalar"},"locs":[{"a":115,"b":124}]}],"statement":"SELECT status AS \"status!\", code, field, detail, replayed AS \"replayed!\", result\nFROM ledger_apply(:items!::jsonb, :keyTtlMs!)                                                                                                       "};

/**
 * Query generated from SQL:
 * ```
 * SELECT status AS "status!", code, field, detail, replayed AS "replayed!", result
 * FROM ledger_apply(:items!::jsonb, :keyTtlMs!)                                                                                                       
 * ```
 */
export const ledgerApply = new PreparedQuery<ILedgerApplyParams,ILedgerApplyResult>(ledgerApplyIR);


/** 'GetTransfer' parameters type */
export interface IGetTransferParams {
  id: TransferId;
}

/** 'GetTransfer' return type */
export interface IGetTransferResult {
  amount: Int8<Cents>;
  created_at: Date;
  currency: string;
  expires_at: Date | null;
  from_account_id: Int8<AccountId>;
  from_owner: string;
  id: Int8<TransferId>;
  metadata: Json;
  posted_amount: string;
  reference: string | null;
  reverses_transfer_id: string | null;
  status: string;
  to_account_id: Int8<AccountId>;
  to_owner: string;
}

/** 'GetTransfer' query type */
export interface IGetTransferQuery {
  params: IGetTransferParams;
  result: IGetTransferResult;
}

const getTransferIR: any = {"usedParamSet":{"id":true},"params":[{"name":"id","required":true,"transform":{"type":"scalar"},"locs":[{"a":469,"b":472}]}],"statement":"SELECT t.id, t.from_account_id, t.to_account_id, t.amount, t.currency, t.created_at,\n       CASE WHEN t.status = 'pending' AND t.expires_at <= now() THEN 'expired' ELSE t.status END AS \"status!\",\n       t.posted_amount AS \"posted_amount!\", t.expires_at, t.reference, t.metadata, t.reverses_transfer_id,\n       f.owner AS from_owner, r.owner AS to_owner\nFROM transfers t\nJOIN accounts f ON f.id = t.from_account_id\nJOIN accounts r ON r.id = t.to_account_id\nWHERE t.id = :id!::transfer_id                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                               "};

/**
 * Query generated from SQL:
 * ```
 * SELECT t.id, t.from_account_id, t.to_account_id, t.amount, t.currency, t.created_at,
 *        CASE WHEN t.status = 'pending' AND t.expires_at <= now() THEN 'expired' ELSE t.status END AS "status!",
 *        t.posted_amount AS "posted_amount!", t.expires_at, t.reference, t.metadata, t.reverses_transfer_id,
 *        f.owner AS from_owner, r.owner AS to_owner
 * FROM transfers t
 * JOIN accounts f ON f.id = t.from_account_id
 * JOIN accounts r ON r.id = t.to_account_id
 * WHERE t.id = :id!::transfer_id                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                               
 * ```
 */
export const getTransfer = new PreparedQuery<IGetTransferParams,IGetTransferResult>(getTransferIR);


/** 'ExpireHolds' parameters type */
export interface IExpireHoldsParams {
  limit: NumberOrString;
}

/** 'ExpireHolds' return type */
export interface IExpireHoldsResult {
  amount: Int8<Cents>;
  expires_at: Date;
  from_account_id: Int8<AccountId>;
  id: Int8<TransferId>;
  to_account_id: Int8<AccountId>;
}

/** 'ExpireHolds' query type */
export interface IExpireHoldsQuery {
  params: IExpireHoldsParams;
  result: IExpireHoldsResult;
}

const expireHoldsIR: any = {"usedParamSet":{"limit":true},"params":[{"name":"limit","required":true,"transform":{"type":"scalar"},"locs":[{"a":224,"b":230}]}],"statement":"WITH expired AS (\n  UPDATE transfers t SET status = 'expired', released_amount = t.amount\n  FROM (SELECT d.id FROM transfers d\n        WHERE d.status = 'pending' AND d.expires_at <= now()\n        ORDER BY d.expires_at LIMIT :limit! FOR UPDATE SKIP LOCKED) due\n  WHERE t.id = due.id\n  RETURNING t.*\n), announced AS (\n  INSERT INTO event_outbox (types, transfer_ids, datas, owners_a, owners_b)\n  SELECT array_agg('transfer.expired'::text ORDER BY e.id), array_agg(e.id ORDER BY e.id), array_agg(NULL::json ORDER BY e.id),\n         array_agg(fa.owner ORDER BY e.id), array_agg(nullif(ta.owner, fa.owner) ORDER BY e.id)\n  FROM expired e JOIN accounts fa ON fa.id = e.from_account_id JOIN accounts ta ON ta.id = e.to_account_id\n  HAVING count(*) > 0\n)\nSELECT id AS \"id!\", from_account_id AS \"from_account_id!\", to_account_id AS \"to_account_id!\", amount AS \"amount!\",\n       expires_at AS \"expires_at!\"\nFROM expired"};

/**
 * Query generated from SQL:
 * ```
 * WITH expired AS (
 *   UPDATE transfers t SET status = 'expired', released_amount = t.amount
 *   FROM (SELECT d.id FROM transfers d
 *         WHERE d.status = 'pending' AND d.expires_at <= now()
 *         ORDER BY d.expires_at LIMIT :limit! FOR UPDATE SKIP LOCKED) due
 *   WHERE t.id = due.id
 *   RETURNING t.*
 * ), announced AS (
 *   INSERT INTO event_outbox (types, transfer_ids, datas, owners_a, owners_b)
 *   SELECT array_agg('transfer.expired'::text ORDER BY e.id), array_agg(e.id ORDER BY e.id), array_agg(NULL::json ORDER BY e.id),
 *          array_agg(fa.owner ORDER BY e.id), array_agg(nullif(ta.owner, fa.owner) ORDER BY e.id)
 *   FROM expired e JOIN accounts fa ON fa.id = e.from_account_id JOIN accounts ta ON ta.id = e.to_account_id
 *   HAVING count(*) > 0
 * )
 * SELECT id AS "id!", from_account_id AS "from_account_id!", to_account_id AS "to_account_id!", amount AS "amount!",
 *        expires_at AS "expires_at!"
 * FROM expired
 * ```
 */
export const expireHolds = new PreparedQuery<IExpireHoldsParams,IExpireHoldsResult>(expireHoldsIR);


