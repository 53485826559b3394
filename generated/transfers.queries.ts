/** Types generated for queries found in "sql/transfers.sql" */
import { PreparedQuery } from '@pgtyped/runtime';

export type NumberOrString = number | string;

/** 'TransferTx' parameters type */
export interface ITransferTxParams {
  actingOwner?: string | null | void;
  amount: NumberOrString;
  currency: string;
  fromAccountId: NumberOrString;
  toAccountId: NumberOrString;
}

/** 'TransferTx' return type */
export interface ITransferTxResult {
  entries_created_at: Date;
  from_account_id: string;
  from_balance: string;
  from_created_at: Date;
  from_currency: string;
  from_entry_amount: string;
  from_entry_id: string;
  from_owner: string;
  to_account_id: string;
  to_balance: string;
  to_created_at: Date;
  to_currency: string;
  to_entry_amount: string;
  to_entry_id: string;
  to_owner: string;
  transfer_amount: string;
  transfer_created_at: Date;
  transfer_id: string;
}

/** 'TransferTx' query type */
export interface ITransferTxQuery {
  params: ITransferTxParams;
  result: ITransferTxResult;
}

const transferTxIR: any = {"usedParamSet":{"fromAccountId":true,"toAccountId":true,"amount":true,"currency":true,"actingOwner":true},"params":[{"name":"fromAccountId","required":true,"transform":{"type":"scalar"},"locs":[{"a":802,"b":816}]},{"name":"toAccountId","required":true,"transform":{"type":"scalar"},"locs":[{"a":819,"b":831}]},{"name":"amount","required":true,"transform":{"type":"scalar"},"locs":[{"a":834,"b":841}]},{"name":"currency","required":true,"transform":{"type":"scalar"},"locs":[{"a":844,"b":853}]},{"name":"actingOwner","required":false,"transform":{"type":"scalar"},"locs":[{"a":856,"b":867}]}],"statement":"SELECT\n  transfer_id         AS \"transfer_id!\",\n  transfer_amount     AS \"transfer_amount!\",\n  transfer_created_at AS \"transfer_created_at!\",\n  from_account_id     AS \"from_account_id!\",\n  from_owner          AS \"from_owner!\",\n  from_balance        AS \"from_balance!\",\n  from_currency       AS \"from_currency!\",\n  from_created_at     AS \"from_created_at!\",\n  to_account_id       AS \"to_account_id!\",\n  to_owner            AS \"to_owner!\",\n  to_balance          AS \"to_balance!\",\n  to_currency         AS \"to_currency!\",\n  to_created_at       AS \"to_created_at!\",\n  from_entry_id       AS \"from_entry_id!\",\n  from_entry_amount   AS \"from_entry_amount!\",\n  to_entry_id         AS \"to_entry_id!\",\n  to_entry_amount     AS \"to_entry_amount!\",\n  entries_created_at  AS \"entries_created_at!\"\nFROM transfer_tx(:fromAccountId!, :toAccountId!, :amount!, :currency!, :actingOwner)"};

/**
 * Query generated from SQL:
 * ```
 * SELECT
 *   transfer_id         AS "transfer_id!",
 *   transfer_amount     AS "transfer_amount!",
 *   transfer_created_at AS "transfer_created_at!",
 *   from_account_id     AS "from_account_id!",
 *   from_owner          AS "from_owner!",
 *   from_balance        AS "from_balance!",
 *   from_currency       AS "from_currency!",
 *   from_created_at     AS "from_created_at!",
 *   to_account_id       AS "to_account_id!",
 *   to_owner            AS "to_owner!",
 *   to_balance          AS "to_balance!",
 *   to_currency         AS "to_currency!",
 *   to_created_at       AS "to_created_at!",
 *   from_entry_id       AS "from_entry_id!",
 *   from_entry_amount   AS "from_entry_amount!",
 *   to_entry_id         AS "to_entry_id!",
 *   to_entry_amount     AS "to_entry_amount!",
 *   entries_created_at  AS "entries_created_at!"
 * FROM transfer_tx(:fromAccountId!, :toAccountId!, :amount!, :currency!, :actingOwner)
 * ```
 */
export const transferTx = new PreparedQuery<ITransferTxParams,ITransferTxResult>(transferTxIR);


/** 'FundingTx' parameters type */
export interface IFundingTxParams {
  accountId: NumberOrString;
  amount: NumberOrString;
  direction: string;
}

/** 'FundingTx' return type */
export interface IFundingTxResult {
  entries_created_at: Date;
  from_account_id: string;
  from_balance: string;
  from_created_at: Date;
  from_currency: string;
  from_entry_amount: string;
  from_entry_id: string;
  from_owner: string;
  to_account_id: string;
  to_balance: string;
  to_created_at: Date;
  to_currency: string;
  to_entry_amount: string;
  to_entry_id: string;
  to_owner: string;
  transfer_amount: string;
  transfer_created_at: Date;
  transfer_id: string;
}

/** 'FundingTx' query type */
export interface IFundingTxQuery {
  params: IFundingTxParams;
  result: IFundingTxResult;
}

const fundingTxIR: any = {"usedParamSet":{"accountId":true,"amount":true,"direction":true},"params":[{"name":"accountId","required":true,"transform":{"type":"scalar"},"locs":[{"a":801,"b":811}]},{"name":"amount","required":true,"transform":{"type":"scalar"},"locs":[{"a":814,"b":821}]},{"name":"direction","required":true,"transform":{"type":"scalar"},"locs":[{"a":824,"b":834}]}],"statement":"SELECT\n  transfer_id         AS \"transfer_id!\",\n  transfer_amount     AS \"transfer_amount!\",\n  transfer_created_at AS \"transfer_created_at!\",\n  from_account_id     AS \"from_account_id!\",\n  from_owner          AS \"from_owner!\",\n  from_balance        AS \"from_balance!\",\n  from_currency       AS \"from_currency!\",\n  from_created_at     AS \"from_created_at!\",\n  to_account_id       AS \"to_account_id!\",\n  to_owner            AS \"to_owner!\",\n  to_balance          AS \"to_balance!\",\n  to_currency         AS \"to_currency!\",\n  to_created_at       AS \"to_created_at!\",\n  from_entry_id       AS \"from_entry_id!\",\n  from_entry_amount   AS \"from_entry_amount!\",\n  to_entry_id         AS \"to_entry_id!\",\n  to_entry_amount     AS \"to_entry_amount!\",\n  entries_created_at  AS \"entries_created_at!\"\nFROM funding_tx(:accountId!, :amount!, :direction!)"};

/**
 * Query generated from SQL:
 * ```
 * SELECT
 *   transfer_id         AS "transfer_id!",
 *   transfer_amount     AS "transfer_amount!",
 *   transfer_created_at AS "transfer_created_at!",
 *   from_account_id     AS "from_account_id!",
 *   from_owner          AS "from_owner!",
 *   from_balance        AS "from_balance!",
 *   from_currency       AS "from_currency!",
 *   from_created_at     AS "from_created_at!",
 *   to_account_id       AS "to_account_id!",
 *   to_owner            AS "to_owner!",
 *   to_balance          AS "to_balance!",
 *   to_currency         AS "to_currency!",
 *   to_created_at       AS "to_created_at!",
 *   from_entry_id       AS "from_entry_id!",
 *   from_entry_amount   AS "from_entry_amount!",
 *   to_entry_id         AS "to_entry_id!",
 *   to_entry_amount     AS "to_entry_amount!",
 *   entries_created_at  AS "entries_created_at!"
 * FROM funding_tx(:accountId!, :amount!, :direction!)
 * ```
 */
export const fundingTx = new PreparedQuery<IFundingTxParams,IFundingTxResult>(fundingTxIR);


/** 'GetTransfer' parameters type */
export interface IGetTransferParams {
  id: NumberOrString;
}

/** 'GetTransfer' return type */
export interface IGetTransferResult {
  amount: string;
  created_at: Date;
  currency: string;
  from_account_id: string;
  from_owner: string;
  id: string;
  to_account_id: string;
  to_owner: string;
}

/** 'GetTransfer' query type */
export interface IGetTransferQuery {
  params: IGetTransferParams;
  result: IGetTransferResult;
}

const getTransferIR: any = {"usedParamSet":{"id":true},"params":[{"name":"id","required":true,"transform":{"type":"scalar"},"locs":[{"a":251,"b":254}]}],"statement":"SELECT t.id, t.from_account_id, t.to_account_id, t.amount, t.currency, t.created_at,\n       f.owner AS from_owner, r.owner AS to_owner\nFROM transfers t\nJOIN accounts f ON f.id = t.from_account_id\nJOIN accounts r ON r.id = t.to_account_id\nWHERE t.id = :id!"};

/**
 * Query generated from SQL:
 * ```
 * SELECT t.id, t.from_account_id, t.to_account_id, t.amount, t.currency, t.created_at,
 *        f.owner AS from_owner, r.owner AS to_owner
 * FROM transfers t
 * JOIN accounts f ON f.id = t.from_account_id
 * JOIN accounts r ON r.id = t.to_account_id
 * WHERE t.id = :id!
 * ```
 */
export const getTransfer = new PreparedQuery<IGetTransferParams,IGetTransferResult>(getTransferIR);


