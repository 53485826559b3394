-- A. The Go simplebank TransferTx on this schema: 7 round trips (BEGIN; the transfer; both balances,
--    lower id first; two entries; COMMIT). The schema wants what the service writes: the transfer's
--    posted_amount and each entry's balance_after, so the balances come before the entries here.
--    -D lo=<first account id> -D naccounts=10000|2
\set from :lo + random(0, :naccounts - 1)
\set to :lo + (:from - :lo + 1 + random(0, :naccounts - 2)) % :naccounts
\set amount random(1, 100)
\set lo_id least(:from, :to)
\set hi_id greatest(:from, :to)
\set dlo case when :from < :to then -:amount else :amount end
\set dhi -:dlo
BEGIN;
INSERT INTO transfers (from_account_id, to_account_id, amount, currency, posted_amount) VALUES (:from, :to, :amount, 'USD', :amount) RETURNING id AS tid \gset
UPDATE accounts SET balance = balance + :dlo WHERE id = :lo_id RETURNING balance AS lo_balance \gset
UPDATE accounts SET balance = balance + :dhi WHERE id = :hi_id RETURNING balance AS hi_balance \gset
INSERT INTO entries (account_id, amount, transfer_id, balance_after) VALUES (:lo_id, :dlo, :tid, :lo_balance) RETURNING id;
INSERT INTO entries (account_id, amount, transfer_id, balance_after) VALUES (:hi_id, :dhi, :tid, :hi_balance) RETURNING id;
COMMIT;
