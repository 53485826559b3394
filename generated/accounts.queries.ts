/** Types generated for queries found in "sql/accounts.sql" */
import { PreparedQuery } from '@pgtyped/runtime';

import type { AccountId, Cents, Int8 } from '../src/ids.js';

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
}

/** 'CreateAccount' query type */
export interface ICreateAccountQuery {
  params: ICreateAccountParams;
  result: ICreateAccountResult;
}

const createAccountIR: any = {"usedParamSet":{"owner":true,"currency":true},"params":[{"name":"owner","required":true,"transform":{"type":"scalar"},"locs":[{"a":47,"b":53}]},{"name":"currency","required":true,"transform":{"type":"scalar"},"locs":[{"a":56,"b":65}]}],"statement":"INSERT INTO accounts (owner, currency)\nVALUES (:owner!, :currency!)\nRETURNING id, owner, balance, currency, created_at"};

/**
 * Query generated from SQL:
 * ```
 * INSERT INTO accounts (owner, currency)
 * VALUES (:owner!, :currency!)
 * RETURNING id, owner, balance, currency, created_at
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
}

/** 'GetAccount' query type */
export interface IGetAccountQuery {
  params: IGetAccountParams;
  result: IGetAccountResult;
}

const getAccountIR: any = {"usedParamSet":{"id":true},"params":[{"name":"id","required":true,"transform":{"type":"scalar"},"locs":[{"a":85,"b":88}]}],"statement":"SELECT id, owner, balance, currency, is_funding, created_at\nFROM accounts\nWHERE id = :id!::account_id"};

/**
 * Query generated from SQL:
 * ```
 * SELECT id, owner, balance, currency, is_funding, created_at
 * FROM accounts
 * WHERE id = :id!::account_id
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
}

/** 'ListAccountsByOwner' query type */
export interface IListAccountsByOwnerQuery {
  params: IListAccountsByOwnerParams;
  result: IListAccountsByOwnerResult;
}

const listAccountsByOwnerIR: any = {"usedParamSet":{"owner":true,"limit":true,"offset":true},"params":[{"name":"owner","required":true,"transform":{"type":"scalar"},"locs":[{"a":76,"b":82}]},{"name":"limit","required":true,"transform":{"type":"scalar"},"locs":[{"a":102,"b":108}]},{"name":"offset","required":true,"transform":{"type":"scalar"},"locs":[{"a":117,"b":124}]}],"statement":"SELECT id, owner, balance, currency, created_at\nFROM accounts\nWHERE owner = :owner!\nORDER BY id\nLIMIT :limit! OFFSET :offset!"};

/**
 * Query generated from SQL:
 * ```
 * SELECT id, owner, balance, currency, created_at
 * FROM accounts
 * WHERE owner = :owner!
 * ORDER BY id
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

const getFundingAccountIR: any = {"usedParamSet":{"currency":true},"params":[{"name":"currency","required":true,"transform":{"type":"scalar"},"locs":[{"a":79,"b":88}]}],"statement":"SELECT id, owner, balance, currency, created_at\nFROM accounts\nWHERE currency = :currency! AND is_funding"};

/**
 * Query generated from SQL:
 * ```
 * SELECT id, owner, balance, currency, created_at
 * FROM accounts
 * WHERE currency = :currency! AND is_funding
 * ```
 */
export const getFundingAccount = new PreparedQuery<IGetFundingAccountParams,IGetFundingAccountResult>(getFundingAccountIR);


