/* Serialises requests with the same key: only one holder at a time, until its transaction ends. */
/* @name LockIdempotencyKey */
SELECT pg_try_advisory_xact_lock(hashtextextended(:username! || E'\n' || :key!, 0)) AS "locked!",
       k.fingerprint AS "fingerprint?", k.status AS "status?", k.response AS "response?", k.created_at AS "created_at?"
FROM (SELECT 1) AS one
LEFT JOIN idempotency_keys k ON k.username = :username! AND k.key = :key!;

/* @name StoreIdempotencyKey */
INSERT INTO idempotency_keys (username, key, fingerprint, status, response)
VALUES (:username!, :key!, :fingerprint!, :status!, :response!)
ON CONFLICT (username, key) DO UPDATE
SET fingerprint = EXCLUDED.fingerprint, status = EXCLUDED.status, response = EXCLUDED.response, created_at = now();

/* Deletes a batch of expired keys; run repeatedly until it deletes nothing. Touches no account row. */
/* @name DeleteExpiredIdempotencyKeys */
DELETE FROM idempotency_keys
WHERE ctid IN (SELECT ctid FROM idempotency_keys WHERE created_at < :before! LIMIT :batch!);
