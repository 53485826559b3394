/* Keyset pagination: newest first, strictly below the cursor's id; served by entries_account_id_idx. */
/* @name ListEntries */
SELECT id, account_id, amount, transfer_id, created_at
FROM entries
WHERE account_id = :accountId! AND id < :beforeId!
ORDER BY id DESC
LIMIT :limit!;

/* @name ListEntriesOfTransfer */
SELECT id, account_id, amount, transfer_id, created_at
FROM entries
WHERE transfer_id = :transferId!
ORDER BY id;
