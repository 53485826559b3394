/* @name CreateAccount */
INSERT INTO accounts (owner, currency)
VALUES (:owner!, :currency!)
RETURNING id, owner, balance, currency, created_at;

/* @name GetAccount */
SELECT id, owner, balance, currency, is_funding, created_at
FROM accounts
WHERE id = :id!::account_id;

/* @name ListAccountsByOwner */
SELECT id, owner, balance, currency, created_at
FROM accounts
WHERE owner = :owner!
ORDER BY id
LIMIT :limit! OFFSET :offset!;

/* @name GetFundingAccount */
SELECT id, owner, balance, currency, created_at
FROM accounts
WHERE currency = :currency! AND is_funding;
