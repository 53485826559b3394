/** Types generated for queries found in "sql/rate_limits.sql" */
import { PreparedQuery } from '@pgtyped/runtime';

export type stringArray = (string)[];

/** 'HitRateLimits' parameters type */
export interface IHitRateLimitsParams {
  gateKey: string;
  gateMax: number;
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

const hitRateLimitsIR: any = {"usedParamSet":{"gateKey":true,"windowS":true,"keys":true,"gateMax":true},"params":[{"name":"gateKey","required":true,"transform":{"type":"scalar"},"locs":[{"a":82,"b":90}]},{"name":"windowS","required":true,"transform":{"type":"scalar"},"locs":[{"a":212,"b":220},{"a":338,"b":346},{"a":711,"b":719},{"a":837,"b":845},{"a":1060,"b":1068}]},{"name":"keys","required":true,"transform":{"type":"scalar"},"locs":[{"a":541,"b":546}]},{"name":"gateMax","required":true,"transform":{"type":"scalar"},"locs":[{"a":592,"b":600}]}],"statement":"WITH gate AS (\n  INSERT INTO rate_limits AS r (key, window_start, hits)\n  VALUES (:gateKey!, now(), 1)\n  ON CONFLICT (key) DO UPDATE\n  SET hits         = CASE WHEN r.window_start <= now() - make_interval(secs => :windowS!::float8) THEN 1 ELSE r.hits + 1 END,\n      window_start = CASE WHEN r.window_start <= now() - make_interval(secs => :windowS!::float8) THEN now() ELSE r.window_start END\n  RETURNING r.key, r.hits, r.window_start\n), rest AS (\n  INSERT INTO rate_limits AS r (key, window_start, hits)\n  SELECT k.key, now(), 1 FROM unnest(:keys!::text[]) AS k(key), gate WHERE gate.hits <= :gateMax!\n  ON CONFLICT (key) DO UPDATE\n  SET hits         = CASE WHEN r.window_start <= now() - make_interval(secs => :windowS!::float8) THEN 1 ELSE r.hits + 1 END,\n      window_start = CASE WHEN r.window_start <= now() - make_interval(secs => :windowS!::float8) THEN now() ELSE r.window_start END\n  RETURNING r.key, r.hits, r.window_start\n)\nSELECT c.key AS \"key!\", c.hits AS \"hits!\",\n       greatest(1, ceil(extract(epoch FROM c.window_start + make_interval(secs => :windowS!::float8) - now())))::int AS \"retry_after_s!\"\nFROM (SELECT * FROM gate UNION ALL SELECT * FROM rest) c                                           "};

/**
 * Query generated from SQL:
 * ```
 * WITH gate AS (
 *   INSERT INTO rate_limits AS r (key, window_start, hits)
 *   VALUES (:gateKey!, now(), 1)
 *   ON CONFLICT (key) DO UPDATE
 *   SET hits         = CASE WHEN r.window_start <= now() - make_interval(secs => :windowS!::float8) THEN 1 ELSE r.hits + 1 END,
 *       window_start = CASE WHEN r.window_start <= now() - make_interval(secs => :windowS!::float8) THEN now() ELSE r.window_start END
 *   RETURNING r.key, r.hits, r.window_start
 * ), rest AS (
 *   INSERT INTO rate_limits AS r (key, window_start, hits)
 *   SELECT k.key, now(), 1 FROM unnest(:keys!::text[]) AS k(key), gate WHERE gate.hits <= :gateMax!
 *   ON CONFLICT (key) DO UPDATE
 *   SET hits         = CASE WHEN r.window_start <= now() - make_interval(secs => :windowS!::float8) THEN 1 ELSE r.hits + 1 END,
 *       window_start = CASE WHEN r.window_start <= now() - make_interval(secs => :windowS!::float8) THEN now() ELSE r.window_start END
 *   RETURNING r.key, r.hits, r.window_start
 * )
 * SELECT c.key AS "key!", c.hits AS "hits!",
 *        greatest(1, ceil(extract(epoch FROM c.window_start + make_interval(secs => :windowS!::float8) - now())))::int AS "retry_after_s!"
 * FROM (SELECT * FROM gate UNION ALL SELECT * FROM rest) c                                           
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


