-- Seeds a migrated simple bank database for the ledger-function pgbench runs: 10,000 users, one
-- USD account each, funded through transfer_tx_batch itself (so the ledger stays whole).
INSERT INTO users (username, hashed_password, full_name, email)
SELECT 'ref_' || g, '!', 'Ref', 'ref_' || g || '@bench.invalid' FROM generate_series(1, 10000) AS g;
INSERT INTO accounts (owner, currency) SELECT 'ref_' || g, 'USD' FROM generate_series(1, 10000) AS g;
SELECT count(*) FROM transfer_tx_batch(
  array_fill('deposit'::text, ARRAY[10000]),
  ARRAY(SELECT id FROM accounts WHERE NOT is_funding ORDER BY id), array_fill(0::bigint, ARRAY[10000]),
  array_fill(1000000000::bigint, ARRAY[10000]), array_fill(''::text, ARRAY[10000]), array_fill(''::text, ARRAY[10000]),
  array_fill(''::text, ARRAY[10000]), array_fill(''::text, ARRAY[10000]), array_fill(''::bytea, ARRAY[10000]), 0);
VACUUM ANALYZE accounts;
