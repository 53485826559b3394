/* Deletes a batch of expired keys; run repeatedly until it deletes nothing. Touches no account row. */
/* @name DeleteExpiredIdempotencyKeys */
DELETE FROM idempotency_keys
WHERE ctid IN (SELECT ctid FROM idempotency_keys WHERE created_at < :before! LIMIT :batch!);
