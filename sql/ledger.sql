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

/* Invariant 1: every transfer has exactly its two entries, -amount and +amount. */
/* @name MalformedTransfers */
SELECT t.id, t.amount, count(e.id)::int AS "entry_count!"
FROM transfers t
LEFT JOIN entries e ON e.transfer_id = t.id
GROUP BY t.id, t.amount
HAVING count(e.id) <> 2
    OR sum(e.amount) <> 0
    OR bool_or(e.account_id = t.from_account_id AND e.amount = -t.amount) IS NOT TRUE
    OR bool_or(e.account_id = t.to_account_id AND e.amount = t.amount) IS NOT TRUE;

/* @name LedgerCounts */
SELECT
  (SELECT count(*) FROM transfers)::bigint AS "transfers!",
  (SELECT count(*) FROM entries)::bigint   AS "entries!",
  (SELECT count(*) FROM accounts)::bigint  AS "accounts!";
