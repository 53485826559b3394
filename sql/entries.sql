/* Keyset pagination: newest first, strictly below the cursor's id; served by entries_account_id_idx. */
/* @name ListEntries */
SELECT id, account_id, amount, transfer_id, created_at, balance_after
FROM entries
WHERE account_id = :accountId!::account_id AND id < :beforeId!::entry_id
ORDER BY id DESC
LIMIT :limit!;

/* @name ListEntriesOfTransfer */
SELECT id, account_id, amount, transfer_id, created_at, balance_after
FROM entries
WHERE transfer_id = :transferId!::transfer_id
ORDER BY id;
