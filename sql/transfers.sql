/* Money movements, many per call and per transaction (group commit); a single one is a batch of
   one. Arrays of one entry per item, in order; see migrations/*_transfer_tx_batch.sql. */
/* @name TransferTxBatch */
SELECT ord AS "ord!", status AS "status!", code, detail, replayed AS "replayed!", result, to_account
FROM transfer_tx_batch(:kinds!, :fromIds!, :toIds!, :amounts!, :currencies!, :owners!,
                       :keyUsers!, :keys!, :fingerprints!, :keyTtlMs!);

/* @name GetTransfer */
SELECT t.id, t.from_account_id, t.to_account_id, t.amount, t.currency, t.created_at,
       f.owner AS from_owner, r.owner AS to_owner
FROM transfers t
JOIN accounts f ON f.id = t.from_account_id
JOIN accounts r ON r.id = t.to_account_id
WHERE t.id = :id!::transfer_id;
