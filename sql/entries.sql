/* Keyset pagination, newest first: by (created_at, id), strictly after the cursor's entry in that order;
   served by entries_account_time_idx (the one index of an account's entries, which BalanceAt shares).
   The cursor carries an entry id; its time is one primary-key probe. Per account, created_at follows
   the entry ids (the ledger takes its clock after the account's lock), so this is id order unless the
   server's clock stepped back. The first page passes the largest id: no such entry, so no bound. */
/* @name ListEntries */
SELECT e.id, e.account_id, e.amount, e.transfer_id, e.created_at, e.balance_after
FROM entries e
WHERE e.account_id = :accountId!::account_id
  AND (e.created_at, e.id) < (coalesce((SELECT c.created_at FROM entries c WHERE c.id = :beforeId!::entry_id), 'infinity'),
                              :beforeId!::entry_id)
ORDER BY e.created_at DESC, e.id DESC
LIMIT :limit!;

/* @name ListEntriesOfTransfer */
SELECT id, account_id, amount, transfer_id, created_at, balance_after
FROM entries
WHERE transfer_id = :transferId!::transfer_id
ORDER BY id;
