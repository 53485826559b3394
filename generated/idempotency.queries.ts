/** Types generated for queries found in "sql/idempotency.sql" */
import { PreparedQuery } from '@pgtyped/runtime';

export type DateOrString = Date | string;

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export type NumberOrString = number | string;

/** 'LockIdempotencyKey' parameters type */
export interface ILockIdempotencyKeyParams {
  key: string;
  username: string;
}

/** 'LockIdempotencyKey' return type */
export interface ILockIdempotencyKeyResult {
  created_at: Date | null;
  fingerprint: Buffer | null;
  locked: boolean;
  response: Json | null;
  status: number | null;
}

/** 'LockIdempotencyKey' query type */
export interface ILockIdempotencyKeyQuery {
  params: ILockIdempotencyKeyParams;
  result: ILockIdempotencyKeyResult;
}

const lockIdempotencyKeyIR: any = {"usedParamSet":{"username":true,"key":true},"params":[{"name":"username","required":true,"transform":{"type":"scalar"},"locs":[{"a":50,"b":59},{"a":286,"b":295}]},{"name":"key","required":true,"transform":{"type":"scalar"},"locs":[{"a":73,"b":77},{"a":309,"b":313}]}],"statement":"SELECT pg_try_advisory_xact_lock(hashtextextended(:username! || E'\\n' || :key!, 0)) AS \"locked!\",\n       k.fingerprint AS \"fingerprint?\", k.status AS \"status?\", k.response AS \"response?\", k.created_at AS \"created_at?\"\nFROM (SELECT 1) AS one\nLEFT JOIN idempotency_keys k ON k.username = :username! AND k.key = :key!"};

/**
 * Query generated from SQL:
 * ```
 * SELECT pg_try_advisory_xact_lock(hashtextextended(:username! || E'\n' || :key!, 0)) AS "locked!",
 *        k.fingerprint AS "fingerprint?", k.status AS "status?", k.response AS "response?", k.created_at AS "created_at?"
 * FROM (SELECT 1) AS one
 * LEFT JOIN idempotency_keys k ON k.username = :username! AND k.key = :key!
 * ```
 */
export const lockIdempotencyKey = new PreparedQuery<ILockIdempotencyKeyParams,ILockIdempotencyKeyResult>(lockIdempotencyKeyIR);


/** 'StoreIdempotencyKey' parameters type */
export interface IStoreIdempotencyKeyParams {
  fingerprint: Buffer;
  key: string;
  response: Json;
  status: number;
  username: string;
}

/** 'StoreIdempotencyKey' return type */
export type IStoreIdempotencyKeyResult = void;

/** 'StoreIdempotencyKey' query type */
export interface IStoreIdempotencyKeyQuery {
  params: IStoreIdempotencyKeyParams;
  result: IStoreIdempotencyKeyResult;
}

const storeIdempotencyKeyIR: any = {"usedParamSet":{"username":true,"key":true,"fingerprint":true,"status":true,"response":true},"params":[{"name":"username","required":true,"transform":{"type":"scalar"},"locs":[{"a":84,"b":93}]},{"name":"key","required":true,"transform":{"type":"scalar"},"locs":[{"a":96,"b":100}]},{"name":"fingerprint","required":true,"transform":{"type":"scalar"},"locs":[{"a":103,"b":115}]},{"name":"status","required":true,"transform":{"type":"scalar"},"locs":[{"a":118,"b":125}]},{"name":"response","required":true,"transform":{"type":"scalar"},"locs":[{"a":128,"b":137}]}],"statement":"INSERT INTO idempotency_keys (username, key, fingerprint, status, response)\nVALUES (:username!, :key!, :fingerprint!, :status!, :response!)\nON CONFLICT (username, key) DO UPDATE\nSET fingerprint = EXCLUDED.fingerprint, status = EXCLUDED.status, response = EXCLUDED.response, created_at = now()                                                                                                       "};

/**
 * Query generated from SQL:
 * ```
 * INSERT INTO idempotency_keys (username, key, fingerprint, status, response)
 * VALUES (:username!, :key!, :fingerprint!, :status!, :response!)
 * ON CONFLICT (username, key) DO UPDATE
 * SET fingerprint = EXCLUDED.fingerprint, status = EXCLUDED.status, response = EXCLUDED.response, created_at = now()                                                                                                       
 * ```
 */
export const storeIdempotencyKey = new PreparedQuery<IStoreIdempotencyKeyParams,IStoreIdempotencyKeyResult>(storeIdempotencyKeyIR);


/** 'DeleteExpiredIdempotencyKeys' parameters type */
export interface IDeleteExpiredIdempotencyKeysParams {
  batch: NumberOrString;
  before: DateOrString;
}

/** 'DeleteExpiredIdempotencyKeys' return type */
export type IDeleteExpiredIdempotencyKeysResult = void;

/** 'DeleteExpiredIdempotencyKeys' query type */
export interface IDeleteExpiredIdempotencyKeysQuery {
  params: IDeleteExpiredIdempotencyKeysParams;
  result: IDeleteExpiredIdempotencyKeysResult;
}

const deleteExpiredIdempotencyKeysIR: any = {"usedParamSet":{"before":true,"batch":true},"params":[{"name":"before","required":true,"transform":{"type":"scalar"},"locs":[{"a":97,"b":104}]},{"name":"batch","required":true,"transform":{"type":"scalar"},"locs":[{"a":112,"b":118}]}],"statement":"DELETE FROM idempotency_keys\nWHERE ctid IN (SELECT ctid FROM idempotency_keys WHERE created_at < :before! LIMIT :batch!)"};

/**
 * Query generated from SQL:
 * ```
 * DELETE FROM idempotency_keys
 * WHERE ctid IN (SELECT ctid FROM idempotency_keys WHERE created_at < :before! LIMIT :batch!)
 * ```
 */
export const deleteExpiredIdempotencyKeys = new PreparedQuery<IDeleteExpiredIdempotencyKeysParams,IDeleteExpiredIdempotencyKeysResult>(deleteExpiredIdempotencyKeysIR);


