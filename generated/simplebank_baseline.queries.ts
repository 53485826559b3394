/** Types generated for queries found in "sql/simplebank_baseline.sql" */
import { PreparedQuery } from '@pgtyped/runtime';

export type NumberOrString = number | string;

/** 'BaselineInsertTransfer' parameters type */
export interface IBaselineInsertTransferParams {
  amount: NumberOrString;
  currency: string;
  fromAccountId: NumberOrString;
  toAccountId: NumberOrString;
}

/** 'BaselineInsertTransfer' return type */
export interface IBaselineInsertTransferResult {
  id: string;
}

/** 'BaselineInsertTransfer' query type */
export interface IBaselineInsertTransferQuery {
  params: IBaselineInsertTransferParams;
  result: IBaselineInsertTransferResult;
}

const baselineInsertTransferIR: any = {"usedParamSet":{"fromAccountId":true,"toAccountId":true,"amount":true,"currency":true},"params":[{"name":"fromAccountId","required":true,"transform":{"type":"scalar"},"locs":[{"a":81,"b":95}]},{"name":"toAccountId","required":true,"transform":{"type":"scalar"},"locs":[{"a":98,"b":110}]},{"name":"amount","required":true,"transform":{"type":"scalar"},"locs":[{"a":113,"b":120}]},{"name":"currency","required":true,"transform":{"type":"scalar"},"locs":[{"a":123,"b":132}]}],"statement":"INSERT INTO transfers (from_account_id, to_account_id, amount, currency)\nVALUES (:fromAccountId!, :toAccountId!, :amount!, :currency!)\nRETURNING id"};

/**
 * Query generated from SQL:
 * ```
 * INSERT INTO transfers (from_account_id, to_account_id, amount, currency)
 * VALUES (:fromAccountId!, :toAccountId!, :amount!, :currency!)
 * RETURNING id
 * ```
 */
export const baselineInsertTransfer = new PreparedQuery<IBaselineInsertTransferParams,IBaselineInsertTransferResult>(baselineInsertTransferIR);


/** 'BaselineInsertEntry' parameters type */
export interface IBaselineInsertEntryParams {
  accountId: NumberOrString;
  amount: NumberOrString;
  transferId: NumberOrString;
}

/** 'BaselineInsertEntry' return type */
export interface IBaselineInsertEntryResult {
  id: string;
}

/** 'BaselineInsertEntry' query type */
export interface IBaselineInsertEntryQuery {
  params: IBaselineInsertEntryParams;
  result: IBaselineInsertEntryResult;
}

const baselineInsertEntryIR: any = {"usedParamSet":{"accountId":true,"amount":true,"transferId":true},"params":[{"name":"accountId","required":true,"transform":{"type":"scalar"},"locs":[{"a":62,"b":72}]},{"name":"amount","required":true,"transform":{"type":"scalar"},"locs":[{"a":75,"b":82}]},{"name":"transferId","required":true,"transform":{"type":"scalar"},"locs":[{"a":85,"b":96}]}],"statement":"INSERT INTO entries (account_id, amount, transfer_id)\nVALUES (:accountId!, :amount!, :transferId!)\nRETURNING id"};

/**
 * Query generated from SQL:
 * ```
 * INSERT INTO entries (account_id, amount, transfer_id)
 * VALUES (:accountId!, :amount!, :transferId!)
 * RETURNING id
 * ```
 */
export const baselineInsertEntry = new PreparedQuery<IBaselineInsertEntryParams,IBaselineInsertEntryResult>(baselineInsertEntryIR);


/** 'BaselineAddBalance' parameters type */
export interface IBaselineAddBalanceParams {
  amount: NumberOrString;
  id: NumberOrString;
}

/** 'BaselineAddBalance' return type */
export interface IBaselineAddBalanceResult {
  balance: string;
  id: string;
}

/** 'BaselineAddBalance' query type */
export interface IBaselineAddBalanceQuery {
  params: IBaselineAddBalanceParams;
  result: IBaselineAddBalanceResult;
}

const baselineAddBalanceIR: any = {"usedParamSet":{"amount":true,"id":true},"params":[{"name":"amount","required":true,"transform":{"type":"scalar"},"locs":[{"a":40,"b":47}]},{"name":"id","required":true,"transform":{"type":"scalar"},"locs":[{"a":60,"b":63}]}],"statement":"UPDATE accounts\nSET balance = balance + :amount!\nWHERE id = :id!\nRETURNING id, balance"};

/**
 * Query generated from SQL:
 * ```
 * UPDATE accounts
 * SET balance = balance + :amount!
 * WHERE id = :id!
 * RETURNING id, balance
 * ```
 */
export const baselineAddBalance = new PreparedQuery<IBaselineAddBalanceParams,IBaselineAddBalanceResult>(baselineAddBalanceIR);


