/* Invariant 2a: every account's balance equals the sum of its entries. */
/* @name AccountsOutOfBalance */
SELECT a.id, a.currency, a.balance, COALESCE(e.total, 0)::bigint AS "entries_total!"
FROM accounts a
LEFT JOIN (SELECT account_id, sum(amount) AS total FROM entries GROUP BY account_id) e
  ON e.account_id = a.id
WHERE a.balance <> COALESCE(e.total, 0);

/* Invariant 2b: per currency the balances (funding account included) sum to zero. */
/* @name CurrenciesOutOfBalance */
SELECT currency, sum(balance)::bigint AS "total!"
FROM accounts
GROUP BY currency
HAVING sum(balance) <> 0;

/* Invariant 3: only funding accounts may be below zero. */
/* @name NegativeCustomerAccounts */
SELECT id, currency, balance
FROM accounts
WHERE balance < 0 AND NOT is_funding;

/* Invariants 1 and 9: a posted transfer has exactly its two entries, -posted_amount and +posted_amount;
   a hold that is pending, voided or expired has none. */
/* @name MalformedTransfers */
SELECT t.id, t.status AS "status!", t.posted_amount AS "posted_amount!", count(e.id)::int AS "entry_count!"
FROM transfers t
LEFT JOIN entries e ON e.transfer_id = t.id
GROUP BY t.id
HAVING CASE WHEN t.status = 'posted' THEN
         count(e.id) <> 2
         OR sum(e.amount) <> 0
         OR bool_or(e.account_id = t.from_account_id AND e.amount = -t.posted_amount) IS NOT TRUE
         OR bool_or(e.account_id = t.to_account_id AND e.amount = t.posted_amount) IS NOT TRUE
       ELSE count(e.id) <> 0 END;

/* Balance history: every entry's balance_after is its account's balance right after it (entries in id
   order, the order the ledger writes them under the account's lock). */
/* @name EntriesWithWrongBalanceAfter */
SELECT id, account_id, balance_after, running::bigint AS "running!"
FROM (SELECT e.id, e.account_id, e.balance_after, sum(e.amount) OVER (PARTITION BY e.account_id ORDER BY e.id) AS running
      FROM entries e) s
WHERE balance_after <> running;

/* Invariant 8: no account but a funding account has an available balance (balance - its live holds out)
   below 0. A hold is live while pending and before its expiry. */
/* @name NegativeAvailableAccounts */
SELECT a.id, a.currency, a.balance, h.held::bigint AS "held!"
FROM accounts a
JOIN (SELECT from_account_id, sum(amount) AS held FROM transfers
      WHERE status = 'pending' AND expires_at > now() GROUP BY from_account_id) h ON h.from_account_id = a.id
WHERE NOT a.is_funding AND a.balance - h.held < 0;

/* Invariant 10: the reversals of a transfer sum to its reversed_amount, never past its posted_amount. */
/* @name OverReversedTransfers */
SELECT t.id, t.posted_amount AS "posted_amount!", t.reversed_amount, COALESCE(r.total, 0)::bigint AS "reversals_total!"
FROM transfers t
LEFT JOIN (SELECT reverses_transfer_id, sum(amount) AS total FROM transfers
           WHERE reverses_transfer_id IS NOT NULL GROUP BY reverses_transfer_id) r ON r.reverses_transfer_id = t.id
WHERE t.reversed_amount <> COALESCE(r.total, 0) OR COALESCE(r.total, 0) > t.posted_amount;

/* @name LedgerCounts */
SELECT
  (SELECT count(*) FROM transfers)::bigint AS "transfers!",
  (SELECT count(*) FROM entries)::bigint   AS "entries!",
  (SELECT count(*) FROM accounts)::bigint  AS "accounts!";
