-- Seeds a migrated simple bank database for the ledger-function pgbench runs: 10,000 users, one
-- USD account each, funded through the ledger function itself (so the ledger stays whole).
INSERT INTO users (username, hashed_password, full_name, email)
SELECT 'ref_' || g, '!', 'Ref', 'ref_' || g || '@bench.invalid' FROM generate_series(1, 10000) AS g;
INSERT INTO accounts (owner, currency) SELECT 'ref_' || g, 'USD' FROM generate_series(1, 10000) AS g;
SELECT count(*) FROM ledger_apply(
  (SELECT jsonb_agg(jsonb_build_object('kind', 'deposit', 'account_id', id, 'amount', 1000000000) ORDER BY id)
   FROM accounts WHERE NOT is_funding), 0);
VACUUM ANALYZE accounts;
