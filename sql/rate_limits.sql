/* Counts one attempt for each key (keys sorted by the caller, so two requests lock rows in one
   order); a key whose window has passed starts a new one. Returns each key's count in its window. */
/* @name HitRateLimits */
INSERT INTO rate_limits AS r (key, window_start, hits)
SELECT k.key, now(), 1 FROM unnest(:keys!::text[]) AS k(key)
ON CONFLICT (key) DO UPDATE
SET hits         = CASE WHEN r.window_start <= now() - make_interval(secs => :windowS!::float8) THEN 1 ELSE r.hits + 1 END,
    window_start = CASE WHEN r.window_start <= now() - make_interval(secs => :windowS!::float8) THEN now() ELSE r.window_start END
RETURNING r.key AS "key!", r.hits AS "hits!",
          greatest(1, ceil(extract(epoch FROM r.window_start + make_interval(secs => :windowS!::float8) - now())))::int AS "retry_after_s!";

/* Counters whose window ended long ago. */
/* @name DeleteStaleRateLimits */
DELETE FROM rate_limits WHERE window_start < now() - interval '1 day';
