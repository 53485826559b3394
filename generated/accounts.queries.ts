/** Types generated for queries found in "sql/accounts.sql" */
import { PreparedQuery } from '@pgtyped/runtime';

import type { AccountId, Cents, Int8 } from '../src/ids.js';

export type DateOrString = Date | string;

export type NumberOrString = number | string;

/** 'CreateAccount' parameters type */
export interface ICreateAccountParams {
  currency: string;
  owner: string;
}

/** 'CreateAccount' return type */
export interface ICreateAccountResult {
  balance: Int8<Cents>;
  created_at: Date;
  currency: string;
  id: Int8<AccountId>;
  owner: string;
  pending_credits: string;
  pending_debits: string;
  status: string;
}

/** 'CreateAccount' query type */
export interface ICreateAccountQuery {
  params: ICreateAccountParams;
  result: ICreateAccountResult;
}

const createAccountIR: any = {"usedParamSet":{"owner":true,"currency":true},"params":[{"name":"owner","required":true,"transform":{"type":"scalar"},"locs":[{"a":68,"b":74}]},{"name":"currency","required":true,"transform":{"type":"scalar"},"locs":[{"a":77,"b":86}]}],"statement":"WITH opened AS (\n  INSERT INTO accounts (owner, currency)\n  VALUES (:owner!, :currency!)\n  RETURNING id, owner, balance, currency, created_at, status\n), announced AS (\n  INSERT INTO event_outbox (created_at, types, transfer_ids, datas, owners_a, owners_b)\n  SELECT o.created_at, ARRAY['account.opened'], ARRAY[NULL::bigint],\n         ARRAY[json_build_object('account', json_build_object('id', o.id, 'owner', o.owner, 'balance', o.balance,\n           'currency', o.currency, 'created_at', api_timestamp(o.created_at), 'status', o.status,\n           'pending_debits', 0, 'pending_credits', 0, 'available_balance', o.balance))],\n         ARRAY[o.owner], ARRAY[NULL::text]\n  FROM opened o\n)\nSELECT id AS \"id!\", owner AS \"owner!\", balance AS \"balance!\", currency AS \"currency!\", created_at AS \"created_at!\",\n       status AS \"status!\", 0::bigint AS \"pending_debits!\", 0::bigint AS \"pending_credits!\"\nFROM opened"};

/**
 * Query generated from SQL:
 * ```
 * WITH opened AS (
 *   INSERT INTO accounts (owner, currency)
 *   VALUES (:owner!, :currency!)
 *   RETURNING id, owner, balance, currency, created_at, status
 * ), announced AS (
 *   INSERT INTO event_outbox (created_at, types, transfer_ids, datas, owners_a, owners_b)
 *   SELECT o.created_at, ARRAY['account.opened'], ARRAY[NULL::bigint],
 *          ARRAY[json_build_object('account', json_build_object('id', o.id, 'owner', o.owner, 'balance', o.balance,
 *            'currency', o.currency, 'created_at', api_timestamp(o.created_at), 'status', o.status,
 *            'pending_debits', 0, 'pending_credits', 0, 'available_balance', o.balance))],
 *          ARRAY[o.owner], ARRAY[NULL::text]
 *   FROM opened o
 * )
 * SELECT id AS "id!", owner AS "owner!", balance AS "balance!", currency AS "currency!", created_at AS "created_at!",
 *        status AS "status!", 0::bigint AS "pending_debits!", 0::bigint AS "pending_credits!"
 * FROM opened
 * ```
 */
export const createAccount = new PreparedQuery<ICreateAccountParams,ICreateAccountResult>(createAccountIR);


/** 'GetAccount' parameters type */
export interface IGetAccountParams {
  id: AccountId;
}

/** 'GetAccount' return type */
export interface IGetAccountResult {
  balance: Int8<Cents>;
  created_at: Date;
  currency: string;
  id: Int8<AccountId>;
  is_funding: boolean;
  owner: string;
  pending_credits: string;
  pending_debits: string;
  status: string;
}

/** 'GetAccount' query type */
export interface IGetAccountQuery {
  params: IGetAccountParams;
  result: IGetAccountResult;
}

const getAccountIR: any = {"usedParamSet":{"id":true},"params":[{"name":"id","required":true,"transform":{"type":"scalar"},"locs":[{"a":468,"b":471}]}],"statement":"SELECT a.id, a.owner, a.balance, a.currency, a.is_funding, a.created_at, a.status,\n       (SELECT coalesce(sum(t.amount), 0) FROM transfers t\n        WHERE t.from_account_id = a.id AND t.status = 'pending' AND t.expires_at > now())::bigint AS \"pending_debits!\",\n       (SELECT coalesce(sum(t.amount), 0) FROM transfers t\n        WHERE t.to_account_id = a.id AND t.status = 'pending' AND t.expires_at > now())::bigint AS \"pending_credits!\"\nFROM accounts a\nWHERE a.id = :id!::account_id"};

/**
 * Query generated from SQL:
 * ```
 * SELECT a.id, a.owner, a.balance, a.currency, a.is_funding, a.created_at, a.status,
 *        (SELECT coalesce(sum(t.amount), 0) FROM transfers t
 *         WHERE t.from_account_id = a.id AND t.status = 'pending' AND t.expires_at > now())::bigint AS "pending_debits!",
 *        (SELECT coalesce(sum(t.amount), 0) FROM transfers t
 *         WHERE t.to_account_id = a.id AND t.status = 'pending' AND t.expires_at > now())::bigint AS "pending_credits!"
 * FROM accounts a
 * WHERE a.id = :id!::account_id
 * ```
 */
export const getAccount = new PreparedQuery<IGetAccountParams,IGetAccountResult>(getAccountIR);


/** 'ListAccountsByOwner' parameters type */
export interface IListAccountsByOwnerParams {
  limit: NumberOrString;
  offset: NumberOrString;
  owner: string;
}

/** 'ListAccountsByOwner' return type */
export interface IListAccountsByOwnerResult {
  balance: Int8<Cents>;
  created_at: Date;
  currency: string;
  id: Int8<AccountId>;
  owner: string;
  pending_credits: string;
  pending_debits: string;
  status: string;
}

/** 'ListAccountsByOwner' query type */
export interface IListAccountsByOwnerQuery {
  params: IListAccountsByOwnerParams;
  result: IListAccountsByOwnerResult;
}

const listAccountsByOwnerIR: any = {"usedParamSet":{"owner":true,"limit":true,"offset":true},"params":[{"name":"owner","required":true,"transform":{"type":"scalar"},"locs":[{"a":457,"b":463}]},{"name":"limit","required":true,"transform":{"type":"scalar"},"locs":[{"a":485,"b":491}]},{"name":"offset","required":true,"transform":{"type":"scalar"},"locs":[{"a":500,"b":507}]}],"statement":"SELECT a.id, a.owner, a.balance, a.currency, a.created_at, a.status,\n       (SELECT coalesce(sum(t.amount), 0) FROM transfers t\n        WHERE t.from_account_id = a.id AND t.status = 'pending' AND t.expires_at > now())::bigint AS \"pending_debits!\",\n       (SELECT coalesce(sum(t.amount), 0) FROM transfers t\n        WHERE t.to_account_id = a.id AND t.status = 'pending' AND t.expires_at > now())::bigint AS \"pending_credits!\"\nFROM accounts a\nWHERE a.owner = :owner!\nORDER BY a.id\nLIMIT :limit! OFFSET :offset!"};

/**
 * Query generated from SQL:
 * ```
 * SELECT a.id, a.owner, a.balance, a.currency, a.created_at, a.status,
 *        (SELECT coalesce(sum(t.amount), 0) FROM transfers t
 *         WHERE t.from_account_id = a.id AND t.status = 'pending' AND t.expires_at > now())::bigint AS "pending_debits!",
 *        (SELECT coalesce(sum(t.amount), 0) FROM transfers t
 *         WHERE t.to_account_id = a.id AND t.status = 'pending' AND t.expires_at > now())::bigint AS "pending_credits!"
 * FROM accounts a
 * WHERE a.owner = :owner!
 * ORDER BY a.id
 * LIMIT :limit! OFFSET :offset!
 * ```
 */
export const listAccountsByOwner = new PreparedQuery<IListAccountsByOwnerParams,IListAccountsByOwnerResult>(listAccountsByOwnerIR);


/** 'GetFundingAccount' parameters type */
export interface IGetFundingAccountParams {
  currency: string;
}

/** 'GetFundingAccount' return type */
export interface IGetFundingAccountResult {
  balance: Int8<Cents>;
  created_at: Date;
  currency: string;
  id: Int8<AccountId>;
  owner: string;
}

/** 'GetFundingAccount' query type */
export interface IGetFundingAccountQuery {
  params: IGetFundingAccountParams;
  result: IGetFundingAccountResult;
}

const getFundingAccountIR: any = {"usedParamSet":{"currency":true},"params":[{"name":"currency","required":true,"transform":{"type":"scalar"},"locs":[{"a":79,"b":88}]}],"statement":"SELECT id, owner, balance, currency, created_at\nFROM accounts\nWHERE currency = :currency! AND is_funding                                                                                                                                                                 "};

/**
 * Query generated from SQL:
 * ```
 * SELECT id, owner, balance, currency, created_at
 * FROM accounts
 * WHERE currency = :currency! AND is_funding                                                                                                                                                                 
 * ```
 */
export const getFundingAccount = new PreparedQuery<IGetFundingAccountParams,IGetFundingAccountResult>(getFundingAccountIR);


/** 'BalanceAt' parameters type */
export interface IBalanceAtParams {
  at: DateOrString;
  id: AccountId;
}

/** 'BalanceAt' return type */
export interface IBalanceAtResult {
  balance: string;
}

/** 'BalanceAt' query type */
export interface IBalanceAtQuery {
  params: IBalanceAtParams;
  result: IBalanceAtResult;
}

const balanceAtIR: any = {"usedParamSet":{"id":true,"at":true},"params":[{"name":"id","required":true,"transform":{"type":"scalar"},"locs":[{"a":93,"b":96}]},{"name":"at","required":true,"transform":{"type":"scalar"},"locs":[{"a":130,"b":133}]}],"statement":"SELECT coalesce((SELECT e.balance_after FROM entries e\n                 WHERE e.account_id = :id!::account_id AND e.created_at <= :at!::timestamptz\n                 ORDER BY e.created_at DESC, e.id DESC LIMIT 1), 0)::bigint AS \"balance!\""};

/**
 * Query generated from SQL:
 * ```
 * SELECT coalesce((SELECT e.balance_after FROM entries e
 *                  WHERE e.account_id = :id!::account_id AND e.created_at <= :at!::timestamptz
 *                  ORDER BY e.created_at DESC, e.id DESC LIMIT 1), 0)::bigint AS "balance!"
 * ```
 */
export const balanceAt = new PreparedQuery<IBalanceAtParams,IBalanceAtResult>(balanceAtIR);


