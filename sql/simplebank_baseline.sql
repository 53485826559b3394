/* The go-simple-bank TransferTx, one statement per round trip (the benchmark's baseline). */
/* @name BaselineInsertTransfer */
INSERT INTO transfers (from_account_id, to_account_id, amount, currency)
VALUES (:fromAccountId!, :toAccountId!, :amount!, :currency!)
RETURNING id;

/* @name BaselineInsertEntry */
INSERT INTO entries (account_id, amount, transfer_id)
VALUES (:accountId!, :amount!, :transferId!)
RETURNING id;

/* @name BaselineAddBalance */
UPDATE accounts
SET balance = balance + :amount!
WHERE id = :id!
RETURNING id, balance;
