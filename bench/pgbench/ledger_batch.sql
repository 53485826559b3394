-- L. The service's own ledger function, called by pgbench: :batch random transfers (spread over
-- :naccounts accounts from :lo, or the hot pair when :naccounts = 2) in one call and transaction.
-- Needs: -D batch=16 -D lo=<first account id> -D naccounts=10000|2 -D keyed=0|1 (keyed: each item
-- carries a fresh Idempotency-Key of its from-account's owner)
SELECT count(*) FILTER (WHERE b.status = 201)
FROM (
  SELECT array_agg(f) AS f, array_agg(CASE WHEN t >= f THEN t + 1 ELSE t END) AS t, array_agg(a) AS a,
         array_agg(CASE WHEN (:keyed)::int = 1 THEN 'ref_' || (f - (:lo)::bigint + 1) ELSE '' END) AS ku,
         array_agg(CASE WHEN (:keyed)::int = 1 THEN md5(random()::text) ELSE '' END) AS k
  FROM (SELECT (:lo)::bigint + floor(random() * (:naccounts)::int)::bigint AS f,
               (:lo)::bigint + floor(random() * ((:naccounts)::int - 1))::bigint AS t,
               1 + floor(random() * 100)::bigint AS a
        FROM generate_series(1, (:batch)::int)) s
) r,
LATERAL transfer_tx_batch(array_fill('transfer'::text, ARRAY[(:batch)::int]), r.f, r.t, r.a,
  array_fill('USD'::text, ARRAY[(:batch)::int]), array_fill(''::text, ARRAY[(:batch)::int]),
  r.ku, r.k, array_fill('\x01'::bytea, ARRAY[(:batch)::int]), 86400000) b;
