-- A. The Go simplebank TransferTx on this schema: 7 round trips (BEGIN; the transfer; two entries;
--    both balances, lower id first; COMMIT). -D lo=<first account id> -D naccounts=10000|2
\set from :lo + random(0, :naccounts - 1)
\set to :lo + (:from - :lo + 1 + random(0, :naccounts - 2)) % :naccounts
\set amount random(1, 100)
\set lo_id least(:from, :to)
\set hi_id greatest(:from, :to)
\set dlo case when :from < :to then -:amount else :amount end
\set dhi -:dlo
\set negamount -:amount
BEGIN;
INSERT INTO transfers (from_account_id, to_account_id, amount, currency) VALUES (:from, :to, :amount, 'USD') RETURNING id AS tid \gset
INSERT INTO entries (account_id, amount, transfer_id) VALUES (:from, :negamount, :tid) RETURNING id;
INSERT INTO entries (account_id, amount, transfer_id) VALUES (:to, :amount, :tid) RETURNING id;
UPDATE accounts SET balance = balance + :dlo WHERE id = :lo_id RETURNING balance;
UPDATE accounts SET balance = balance + :dhi WHERE id = :hi_id RETURNING balance;
COMMIT;
