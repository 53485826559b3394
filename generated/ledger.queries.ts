/** Types generated for queries found in "sql/ledger.sql" */
import { PreparedQuery } from '@pgtyped/runtime';

import type { AccountId, Cents, Int8, TransferId } from '../src/ids.js';

/** 'AccountsOutOfBalance' parameters type */
export type IAccountsOutOfBalanceParams = void;

/** 'AccountsOutOfBalance' return type */
export interface IAccountsOutOfBalanceResult {
  balance: Int8<Cents>;
  currency: string;
  entries_total: string;
  id: Int8<AccountId>;
}

/** 'AccountsOutOfBalance' query type */
export interface IAccountsOutOfBalanceQuery {
  params: IAccountsOutOfBalanceParams;
  result: IAccountsOutOfBalanceResult;
}

const accountsOutOfBalanceIR: any = {"usedParamSet":{},"params":[],"statement":"SELECT a.id, a.currency, a.balance, COALESCE(e.total, 0)::bigint AS \"entries_total!\"\nFROM accounts a\nLEFT JOIN (SELECT account_id, sum(amount) AS total FROM entries GROUP BY account_id) e\n  ON e.account_id = a.id\nWHERE a.balance <> COALESCE(e.total, 0)                                                                                     "};

/**
 * Query generated from SQL:
 * ```
 * SELECT a.id, a.currency, a.balance, COALESCE(e.total, 0)::bigint AS "entries_total!"
 * FROM accounts a
 * LEFT JOIN (SELECT account_id, sum(amount) AS total FROM entries GROUP BY account_id) e
 *   ON e.account_id = a.id
 * WHERE a.balance <> COALESCE(e.total, 0)                                                                                     
 * ```
 */
export const accountsOutOfBalance = new PreparedQuery<IAccountsOutOfBalanceParams,IAccountsOutOfBalanceResult>(accountsOutOfBalanceIR);


/** 'CurrenciesOutOfBalance' parameters type */
export type ICurrenciesOutOfBalanceParams = void;

/** 'CurrenciesOutOfBalance' return type */
export interface ICurrenciesOutOfBalanceResult {
  currency: string;
  total: string;
}

/** 'CurrenciesOutOfBalance' query type */
export interface ICurrenciesOutOfBalanceQuery {
  params: ICurrenciesOutOfBalanceParams;
  result: ICurrenciesOutOfBalanceResult;
}

const currenciesOutOfBalanceIR: any = {"usedParamSet":{},"params":[],"statement":"SELECT currency, sum(balance)::bigint AS \"total!\"\nFROM accounts\nGROUP BY currency\nHAVING sum(balance) <> 0                                                           "};

/**
 * Query generated from SQL:
 * ```
 * SELECT currency, sum(balance)::bigint AS "total!"
 * FROM accounts
 * GROUP BY currency
 * HAVING sum(balance) <> 0                                                           
 * ```
 */
export const currenciesOutOfBalance = new PreparedQuery<ICurrenciesOutOfBalanceParams,ICurrenciesOutOfBalanceResult>(currenciesOutOfBalanceIR);


/** 'NegativeCustomerAccounts' parameters type */
export type INegativeCustomerAccountsParams = void;

/** 'NegativeCustomerAccounts' return type */
export interface INegativeCustomerAccountsResult {
  balance: Int8<Cents>;
  currency: string;
  id: Int8<AccountId>;
}

/** 'NegativeCustomerAccounts' query type */
export interface INegativeCustomerAccountsQuery {
  params: INegativeCustomerAccountsParams;
  result: INegativeCustomerAccountsResult;
}

const negativeCustomerAccountsIR: any = {"usedParamSet":{},"params":[],"statement":"SELECT id, currency, balance\nFROM accounts\nWHERE balance < 0 AND NOT is_funding                                                                                   "};

/**
 * Query generated from SQL:
 * ```
 * SELECT id, currency, balance
 * FROM accounts
 * WHERE balance < 0 AND NOT is_funding                                                                                   
 * ```
 */
export const negativeCustomerAccounts = new PreparedQuery<INegativeCustomerAccountsParams,INegativeCustomerAccountsResult>(negativeCustomerAccountsIR);


/** 'MalformedTransfers' parameters type */
export type IMalformedTransfersParams = void;

/** 'MalformedTransfers' return type */
export interface IMalformedTransfersResult {
  amount: Int8<Cents>;
  entry_count: number;
  id: Int8<TransferId>;
}

/** 'MalformedTransfers' query type */
export interface IMalformedTransfersQuery {
  params: IMalformedTransfersParams;
  result: IMalformedTransfersResult;
}

const malformedTransfersIR: any = {"usedParamSet":{},"params":[],"statement":"SELECT t.id, t.amount, count(e.id)::int AS \"entry_count!\"\nFROM transfers t\nLEFT JOIN entries e ON e.transfer_id = t.id\nGROUP BY t.id, t.amount\nHAVING count(e.id) <> 2\n    OR sum(e.amount) <> 0\n    OR bool_or(e.account_id = t.from_account_id AND e.amount = -t.amount) IS NOT TRUE\n    OR bool_or(e.account_id = t.to_account_id AND e.amount = t.amount) IS NOT TRUE"};

/**
 * Query generated from SQL:
 * ```
 * SELECT t.id, t.amount, count(e.id)::int AS "entry_count!"
 * FROM transfers t
 * LEFT JOIN entries e ON e.transfer_id = t.id
 * GROUP BY t.id, t.amount
 * HAVING count(e.id) <> 2
 *     OR sum(e.amount) <> 0
 *     OR bool_or(e.account_id = t.from_account_id AND e.amount = -t.amount) IS NOT TRUE
 *     OR bool_or(e.account_id = t.to_account_id AND e.amount = t.amount) IS NOT TRUE
 * ```
 */
export const malformedTransfers = new PreparedQuery<IMalformedTransfersParams,IMalformedTransfersResult>(malformedTransfersIR);


/** 'LedgerCounts' parameters type */
export type ILedgerCountsParams = void;

/** 'LedgerCounts' return type */
export interface ILedgerCountsResult {
  accounts: string;
  entries: string;
  transfers: string;
}

/** 'LedgerCounts' query type */
export interface ILedgerCountsQuery {
  params: ILedgerCountsParams;
  result: ILedgerCountsResult;
}

const ledgerCountsIR: any = {"usedParamSet":{},"params":[],"statement":"SELECT\n  (SELECT count(*) FROM transfers)::bigint AS \"transfers!\",\n  (SELECT count(*) FROM entries)::bigint   AS \"entries!\",\n  (SELECT count(*) FROM accounts)::bigint  AS \"accounts!\""};

/**
 * Query generated from SQL:
 * ```
 * SELECT
 *   (SELECT count(*) FROM transfers)::bigint AS "transfers!",
 *   (SELECT count(*) FROM entries)::bigint   AS "entries!",
 *   (SELECT count(*) FROM accounts)::bigint  AS "accounts!"
 * ```
 */
export const ledgerCounts = new PreparedQuery<ILedgerCountsParams,ILedgerCountsResult>(ledgerCountsIR);


