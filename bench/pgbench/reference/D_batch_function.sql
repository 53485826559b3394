-- D. 16 transfers per call of ref_transfer_batch (schema.sql). -D lo=… -D naccounts=10000|2
SELECT ref_transfer_batch(array_agg(f), array_agg(CASE WHEN t >= f THEN t + 1 ELSE t END), array_agg(a))
FROM (SELECT (:lo)::bigint + floor(random() * (:naccounts)::int)::bigint AS f,
             (:lo)::bigint + floor(random() * ((:naccounts)::int - 1))::bigint AS t,
             1 + floor(random() * 100)::bigint AS a
      FROM generate_series(1, 16)) s;
