-- Between runs, every run starts from the same state: the reference database is throwaway, so its
-- transfers and entries go and every seeded account gets its balance back.
TRUNCATE entries, transfers RESTART IDENTITY;
UPDATE accounts SET balance = 1000000000 WHERE NOT is_funding AND balance <> 1000000000;
VACUUM ANALYZE accounts;
VACUUM ANALYZE entries;
VACUUM ANALYZE transfers;
