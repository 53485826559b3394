/* @name TransferTx */
SELECT
  transfer_id         AS "transfer_id!",
  transfer_amount     AS "transfer_amount!",
  transfer_created_at AS "transfer_created_at!",
  from_account_id     AS "from_account_id!",
  from_owner          AS "from_owner!",
  from_balance        AS "from_balance!",
  from_currency       AS "from_currency!",
  from_created_at     AS "from_created_at!",
  to_account_id       AS "to_account_id!",
  to_owner            AS "to_owner!",
  to_balance          AS "to_balance!",
  to_currency         AS "to_currency!",
  to_created_at       AS "to_created_at!",
  from_entry_id       AS "from_entry_id!",
  from_entry_amount   AS "from_entry_amount!",
  to_entry_id         AS "to_entry_id!",
  to_entry_amount     AS "to_entry_amount!",
  entries_created_at  AS "entries_created_at!"
FROM transfer_tx(:fromAccountId!, :toAccountId!, :amount!, :currency!, :actingOwner);

/* @name FundingTx */
SELECT
  transfer_id         AS "transfer_id!",
  transfer_amount     AS "transfer_amount!",
  transfer_created_at AS "transfer_created_at!",
  from_account_id     AS "from_account_id!",
  from_owner          AS "from_owner!",
  from_balance        AS "from_balance!",
  from_currency       AS "from_currency!",
  from_created_at     AS "from_created_at!",
  to_account_id       AS "to_account_id!",
  to_owner            AS "to_owner!",
  to_balance          AS "to_balance!",
  to_currency         AS "to_currency!",
  to_created_at       AS "to_created_at!",
  from_entry_id       AS "from_entry_id!",
  from_entry_amount   AS "from_entry_amount!",
  to_entry_id         AS "to_entry_id!",
  to_entry_amount     AS "to_entry_amount!",
  entries_created_at  AS "entries_created_at!"
FROM funding_tx(:accountId!, :amount!, :direction!);

/* @name GetTransfer */
SELECT t.id, t.from_account_id, t.to_account_id, t.amount, t.currency, t.created_at,
       f.owner AS from_owner, r.owner AS to_owner
FROM transfers t
JOIN accounts f ON f.id = t.from_account_id
JOIN accounts r ON r.id = t.to_account_id
WHERE t.id = :id!;
