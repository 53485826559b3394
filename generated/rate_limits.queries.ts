/** Types generated for queries found in "sql/rate_limits.sql" */
import { PreparedQuery } from '@pgtyped/runtime';

export type stringArray = (string)[];

/** 'HitRateLimits' parameters type */
export interface IHitRateLimitsParams {
  keys: stringArray;
  windowS: number;
}

/** 'HitRateLimits' return type */
export interface IHitRateLimitsResult {
  hits: number;
  key: string;
  retry_after_s: number;
}

/** 'HitRateLimits' query type */
export interface IHitRateLimitsQuery {
  params: IHitRateLimitsParams;
  result: IHitRateLimitsResult;
}

const hitRateLimitsIR: any = {"usedParamSet":{"keys":true,"windowS":true},"params":[{"name":"keys","required":true,"transform":{"type":"scalar"},"locs":[{"a":90,"b":95}]},{"name":"windowS","required":true,"transform":{"type":"scalar"},"locs":[{"a":221,"b":229},{"a":345,"b":353},{"a":530,"b":538}]}],"statement":"INSERT INTO rate_limits AS r (key, window_start, hits)\nSELECT k.key, now(), 1 FROM unnest(:keys!::text[]) AS k(key)\nON CONFLICT (key) DO UPDATE\nSET hits         = CASE WHEN r.window_start <= now() - make_interval(secs => :windowS!::float8) THEN 1 ELSE r.hits + 1 END,\n    window_start = CASE WHEN r.window_start <= now() - make_interval(secs => :windowS!::float8) THEN now() ELSE r.window_start END\nRETURNING r.key AS \"key!\", r.hits AS \"hits!\",\n          greatest(1, ceil(extract(epoch FROM r.window_start + make_interval(secs => :windowS!::float8) - now())))::int AS \"retry_after_s!\"                                           "};

/**
 * Query generated from SQL:
 * ```
 * INSERT INTO rate_limits AS r (key, window_start, hits)
 * SELECT k.key, now(), 1 FROM unnest(:keys!::text[]) AS k(key)
 * ON CONFLICT (key) DO UPDATE
 * SET hits         = CASE WHEN r.window_start <= now() - make_interval(secs => :windowS!::float8) THEN 1 ELSE r.hits + 1 END,
 *     window_start = CASE WHEN r.window_start <= now() - make_interval(secs => :windowS!::float8) THEN now() ELSE r.window_start END
 * RETURNING r.key AS "key!", r.hits AS "hits!",
 *           greatest(1, ceil(extract(epoch FROM r.window_start + make_interval(secs => :windowS!::float8) - now())))::int AS "retry_after_s!"                                           
 * ```
 */
export const hitRateLimits = new PreparedQuery<IHitRateLimitsParams,IHitRateLimitsResult>(hitRateLimitsIR);


/** 'DeleteStaleRateLimits' parameters type */
export type IDeleteStaleRateLimitsParams = void;

/** 'DeleteStaleRateLimits' return type */
export type IDeleteStaleRateLimitsResult = void;

/** 'DeleteStaleRateLimits' query type */
export interface IDeleteStaleRateLimitsQuery {
  params: IDeleteStaleRateLimitsParams;
  result: IDeleteStaleRateLimitsResult;
}

const deleteStaleRateLimitsIR: any = {"usedParamSet":{},"params":[],"statement":"DELETE FROM rate_limits WHERE window_start < now() - interval '1 day'"};

/**
 * Query generated from SQL:
 * ```
 * DELETE FROM rate_limits WHERE window_start < now() - interval '1 day'
 * ```
 */
export const deleteStaleRateLimits = new PreparedQuery<IDeleteStaleRateLimitsParams,IDeleteStaleRateLimitsResult>(deleteStaleRateLimitsIR);


