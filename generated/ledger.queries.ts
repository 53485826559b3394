/** Types generated for queries found in "sql/ledger.sql" */
import { PreparedQuery } from '@pgtyped/runtime';

import type { AccountId, Cents, EntryId, Int8, TransferId } from '../src/ids.js';

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

const negativeCustomerAccountsIR: any = {"usedParamSet":{},"params":[],"statement":"SELECT id, currency, balance\nFROM accounts\nWHERE balance < 0 AND NOT is_funding                                                                                                                                                                  "};

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
  entry_count: number;
  id: Int8<TransferId>;
  posted_amount: string;
  status: string;
}

/** 'MalformedTransfers' query type */
export interface IMalformedTransfersQuery {
  params: IMalformedTransfersParams;
  result: IMalformedTransfersResult;
}

const malformedTransfersIR: any = {"usedParamSet":{},"params":[],"statement":"SELECT t.id, t.status AS \"status!\", t.posted_amount AS \"posted_amount!\", count(e.id)::int AS \"entry_count!\"\nFROM transfers t\nLEFT JOIN entries e ON e.transfer_id = t.id\nGROUP BY t.id\nHAVING CASE WHEN t.status = 'posted' THEN\n         count(e.id) <> 2\n         OR sum(e.amount) <> 0\n         OR bool_or(e.account_id = t.from_account_id AND e.amount = -t.posted_amount) IS NOT TRUE\n         OR bool_or(e.account_id = t.to_account_id AND e.amount = t.posted_amount) IS NOT TRUE\n       ELSE count(e.id) <> 0 END                                                                                                                                                                               "};

/**
 * Query generated from SQL:
 * ```
 * SELECT t.id, t.status AS "status!", t.posted_amount AS "posted_amount!", count(e.id)::int AS "entry_count!"
 * FROM transfers t
 * LEFT JOIN entries e ON e.transfer_id = t.id
 * GROUP BY t.id
 * HAVING CASE WHEN t.status = 'posted' THEN
 *          count(e.id) <> 2
 *          OR sum(e.amount) <> 0
 *          OR bool_or(e.account_id = t.from_account_id AND e.amount = -t.posted_amount) IS NOT TRUE
 *          OR bool_or(e.account_id = t.to_account_id AND e.amount = t.posted_amount) IS NOT TRUE
 *        ELSE count(e.id) <> 0 END                                                                                                                                                                               
 * ```
 */
export const malformedTransfers = new PreparedQuery<IMalformedTransfersParams,IMalformedTransfersResult>(malformedTransfersIR);


/** 'EntriesWithWrongBalanceAfter' parameters type */
export type IEntriesWithWrongBalanceAfterParams = void;

/** 'EntriesWithWrongBalanceAfter' return type */
export interface IEntriesWithWrongBalanceAfterResult {
  account_id: Int8<AccountId>;
  balance_after: string;
  id: Int8<EntryId>;
  running: string;
}

/** 'EntriesWithWrongBalanceAfter' query type */
export interface IEntriesWithWrongBalanceAfterQuery {
  params: IEntriesWithWrongBalanceAfterParams;
  result: IEntriesWithWrongBalanceAfterResult;
}

const entriesWithWrongBalanceAfterIR: any = {"usedParamSet":{},"params":[],"statement":"SELECT id, account_id, balance_after, running::bigint AS \"running!\"\nFROM (SELECT e.id, e.account_id, e.balance_after, sum(e.amount) OVER (PARTITION BY e.account_id ORDER BY e.id) AS running\n      FROM entries e) s\nWHERE balance_after <> running                                                                                                                                                                           "};

/**
 * Query generated from SQL:
 * ```
 * SELECT id, account_id, balance_after, running::bigint AS "running!"
 * FROM (SELECT e.id, e.account_id, e.balance_after, sum(e.amount) OVER (PARTITION BY e.account_id ORDER BY e.id) AS running
 *       FROM entries e) s
 * WHERE balance_after <> running                                                                                                                                                                           
 * ```
 */
export const entriesWithWrongBalanceAfter = new PreparedQuery<IEntriesWithWrongBalanceAfterParams,IEntriesWithWrongBalanceAfterResult>(entriesWithWrongBalanceAfterIR);


/** 'NegativeAvailableAccounts' parameters type */
export type INegativeAvailableAccountsParams = void;

/** 'NegativeAvailableAccounts' return type */
export interface INegativeAvailableAccountsResult {
  balance: Int8<Cents>;
  currency: string;
  held: string;
  id: Int8<AccountId>;
}

/** 'NegativeAvailableAccounts' query type */
export interface INegativeAvailableAccountsQuery {
  params: INegativeAvailableAccountsParams;
  result: INegativeAvailableAccountsResult;
}

const negativeAvailableAccountsIR: any = {"usedParamSet":{},"params":[],"statement":"SELECT a.id, a.currency, a.balance, h.held::bigint AS \"held!\"\nFROM accounts a\nJOIN (SELECT from_account_id, sum(amount) AS held FROM transfers\n      WHERE status = 'pending' AND expires_at > now() GROUP BY from_account_id) h ON h.from_account_id = a.id\nWHERE NOT a.is_funding AND a.balance - h.held < 0                                                                                                         "};

/**
 * Query generated from SQL:
 * ```
 * SELECT a.id, a.currency, a.balance, h.held::bigint AS "held!"
 * FROM accounts a
 * JOIN (SELECT from_account_id, sum(amount) AS held FROM transfers
 *       WHERE status = 'pending' AND expires_at > now() GROUP BY from_account_id) h ON h.from_account_id = a.id
 * WHERE NOT a.is_funding AND a.balance - h.held < 0                                                                                                         
 * ```
 */
export const negativeAvailableAccounts = new PreparedQuery<INegativeAvailableAccountsParams,INegativeAvailableAccountsResult>(negativeAvailableAccountsIR);


/** 'OverReversedTransfers' parameters type */
export type IOverReversedTransfersParams = void;

/** 'OverReversedTransfers' return type */
export interface IOverReversedTransfersResult {
  id: Int8<TransferId>;
  posted_amount: string;
  reversals_total: string;
  reversed_amount: string;
}

/** 'OverReversedTransfers' query type */
export interface IOverReversedTransfersQuery {
  params: IOverReversedTransfersParams;
  result: IOverReversedTransfersResult;
}

const overReversedTransfersIR: any = {"usedParamSet":{},"params":[],"statement":"SELECT t.id, t.posted_amount AS \"posted_amount!\", t.reversed_amount, COALESCE(r.total, 0)::bigint AS \"reversals_total!\"\nFROM transfers t\nLEFT JOIN (SELECT reverses_transfer_id, sum(amount) AS total FROM transfers\n           WHERE reverses_transfer_id IS NOT NULL GROUP BY reverses_transfer_id) r ON r.reverses_transfer_id = t.id\nWHERE t.reversed_amount <> COALESCE(r.total, 0) OR COALESCE(r.total, 0) > t.posted_amount"};

/**
 * Query generated from SQL:
 * ```
 * SELECT t.id, t.posted_amount AS "posted_amount!", t.reversed_amount, COALESCE(r.total, 0)::bigint AS "reversals_total!"
 * FROM transfers t
 * LEFT JOIN (SELECT reverses_transfer_id, sum(amount) AS total FROM transfers
 *            WHERE reverses_transfer_id IS NOT NULL GROUP BY reverses_transfer_id) r ON r.reverses_transfer_id = t.id
 * WHERE t.reversed_amount <> COALESCE(r.total, 0) OR COALESCE(r.total, 0) > t.posted_amount
 * ```
 */
export const overReversedTransfers = new PreparedQuery<IOverReversedTransfersParams,IOverReversedTransfersResult>(overReversedTransfersIR);


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


