/** Types generated for queries found in "sql/idempotency.sql" */
import { PreparedQuery } from '@pgtyped/runtime';

export type DateOrString = Date | string;

export type NumberOrString = number | string;

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


