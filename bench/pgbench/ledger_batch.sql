-- L. The service's own ledger function (sql/functions/ledger_apply.pgsql), called by pgbench: :batch
-- random transfers (spread over :naccounts accounts from :lo, or the hot pair when :naccounts = 2) in
-- one call and transaction, as the service sends them: a JSON array of items.
-- Needs: -D batch=16 -D lo=<first account id> -D naccounts=10000|2 -D keyed=0|1 (keyed: each item
-- carries a fresh Idempotency-Key of its from-account's owner)
SELECT count(*) FILTER (WHERE b.status = 201)
FROM (
  SELECT jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
           'kind', 'transfer', 'from_account_id', f, 'to_account_id', CASE WHEN t >= f THEN t + 1 ELSE t END,
           'amount', a, 'currency', 'USD',
           'key_user', CASE WHEN (:keyed)::int = 1 THEN 'ref_' || (f - (:lo)::bigint + 1) END,
           'key', CASE WHEN (:keyed)::int = 1 THEN md5(random()::text) END,
           'fingerprint', CASE WHEN (:keyed)::int = 1 THEN '\x01' END))) AS items
  FROM (SELECT (:lo)::bigint + floor(random() * (:naccounts)::int)::bigint AS f,
               (:lo)::bigint + floor(random() * ((:naccounts)::int - 1))::bigint AS t,
               1 + floor(random() * 100)::bigint AS a
        FROM generate_series(1, (:batch)::int)) s
) r,
LATERAL ledger_apply(r.items, 86400000) b;
