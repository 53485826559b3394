/* Counts one attempt for the gate key and, only while the gate is within :gateMax, for each other key
   (sorted by the caller: two requests lock those rows in one order; the gate's row always comes first).
   An attempt the gate refuses (e.g. a client IP over its limit) so creates no row per username it
   tried. A key whose window has passed starts a new one. Returns each counted key's count. */
/* @name HitRateLimits */
WITH gate AS (
  INSERT INTO rate_limits AS r (key, window_start, hits)
  VALUES (:gateKey!, now(), 1)
  ON CONFLICT (key) DO UPDATE
  SET hits         = CASE WHEN r.window_start <= now() - make_interval(secs => :windowS!::float8) THEN 1 ELSE r.hits + 1 END,
      window_start = CASE WHEN r.window_start <= now() - make_interval(secs => :windowS!::float8) THEN now() ELSE r.window_start END
  RETURNING r.key, r.hits, r.window_start
), rest AS (
  INSERT INTO rate_limits AS r (key, window_start, hits)
  SELECT k.key, now(), 1 FROM unnest(:keys!::text[]) AS k(key), gate WHERE gate.hits <= :gateMax!
  ON CONFLICT (key) DO UPDATE
  SET hits         = CASE WHEN r.window_start <= now() - make_interval(secs => :windowS!::float8) THEN 1 ELSE r.hits + 1 END,
      window_start = CASE WHEN r.window_start <= now() - make_interval(secs => :windowS!::float8) THEN now() ELSE r.window_start END
  RETURNING r.key, r.hits, r.window_start
)
SELECT c.key AS "key!", c.hits AS "hits!",
       greatest(1, ceil(extract(epoch FROM c.window_start + make_interval(secs => :windowS!::float8) - now())))::int AS "retry_after_s!"
FROM (SELECT * FROM gate UNION ALL SELECT * FROM rest) c;

/* Counters whose window ended long ago. */
/* @name DeleteStaleRateLimits */
DELETE FROM rate_limits WHERE window_start < now() - interval '1 day';
