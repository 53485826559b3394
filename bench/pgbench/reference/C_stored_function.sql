-- C. One call of ref_transfer (schema.sql) per transfer: one round trip. -D lo=… -D naccounts=10000|2
\set from :lo + random(0, :naccounts - 1)
\set to :lo + (:from - :lo + 1 + random(0, :naccounts - 2)) % :naccounts
\set amount random(1, 100)
SELECT ref_transfer(:from, :to, :amount);
