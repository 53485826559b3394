/* An account as the API shows it: its posted balance, its state, and its live holds out and in (pending
   and not expired by the database's clock; served by the partial indexes transfers_pending_*_idx). */

/* The account, and its account.opened event in the same statement (migrations/20261207120000_events.sql). */
/* @name CreateAccount */
WITH opened AS (
  INSERT INTO accounts (owner, currency)
  VALUES (:owner!, :currency!)
  RETURNING id, owner, balance, currency, created_at, status
), announced AS (
  INSERT INTO event_outbox (created_at, types, transfer_ids, datas, owners_a, owners_b)
  SELECT o.created_at, ARRAY['account.opened'], ARRAY[NULL::bigint],
         ARRAY[json_build_object('account', json_build_object('id', o.id, 'owner', o.owner, 'balance', o.balance,
           'currency', o.currency, 'created_at', api_timestamp(o.created_at), 'status', o.status,
           'pending_debits', 0, 'pending_credits', 0, 'available_balance', o.balance))],
         ARRAY[o.owner], ARRAY[NULL::text]
  FROM opened o
)
SELECT id AS "id!", owner AS "owner!", balance AS "balance!", currency AS "currency!", created_at AS "created_at!",
       status AS "status!", 0::bigint AS "pending_debits!", 0::bigint AS "pending_credits!"
FROM opened;

/* @name GetAccount */
SELECT a.id, a.owner, a.balance, a.currency, a.is_funding, a.created_at, a.status,
       (SELECT coalesce(sum(t.amount), 0) FROM transfers t
        WHERE t.from_account_id = a.id AND t.status = 'pending' AND t.expires_at > now())::bigint AS "pending_debits!",
       (SELECT coalesce(sum(t.amount), 0) FROM transfers t
        WHERE t.to_account_id = a.id AND t.status = 'pending' AND t.expires_at > now())::bigint AS "pending_credits!"
FROM accounts a
WHERE a.id = :id!::account_id;

/* @name ListAccountsByOwner */
SELECT a.id, a.owner, a.balance, a.currency, a.created_at, a.status,
       (SELECT coalesce(sum(t.amount), 0) FROM transfers t
        WHERE t.from_account_id = a.id AND t.status = 'pending' AND t.expires_at > now())::bigint AS "pending_debits!",
       (SELECT coalesce(sum(t.amount), 0) FROM transfers t
        WHERE t.to_account_id = a.id AND t.status = 'pending' AND t.expires_at > now())::bigint AS "pending_credits!"
FROM accounts a
WHERE a.owner = :owner!
ORDER BY a.id
LIMIT :limit! OFFSET :offset!;

/* @name GetFundingAccount */
SELECT id, owner, balance, currency, created_at
FROM accounts
WHERE currency = :currency! AND is_funding;

/* The posted balance as of a time: the balance after the account's last entry at or before it (0
   before the first); one probe of entries_account_time_idx. */
/* @name BalanceAt */
SELECT coalesce((SELECT e.balance_after FROM entries e
                 WHERE e.account_id = :id!::account_id AND e.created_at <= :at!::timestamptz
                 ORDER BY e.created_at DESC, e.id DESC LIMIT 1), 0)::bigint AS "balance!";
