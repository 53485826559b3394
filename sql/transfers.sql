/* Money movements, many per call and per transaction (group commit); a single one is a batch of one.
   `items` is a JSON array of ledger items (src/transfers/ledger.ts: LedgerItem), answered one row each,
   in order. The function: sql/functions/ledger_apply.pgsql. */
/* @name LedgerApply */
SELECT status AS "status!", code, field, detail, replayed AS "replayed!", result
FROM ledger_apply(:items!::jsonb, :keyTtlMs!);

/* A pending hold past its expiry reads as expired, whether or not the expiry job has marked it yet. */
/* @name GetTransfer */
SELECT t.id, t.from_account_id, t.to_account_id, t.amount, t.currency, t.created_at,
       CASE WHEN t.status = 'pending' AND t.expires_at <= now() THEN 'expired' ELSE t.status END AS "status!",
       t.posted_amount AS "posted_amount!", t.expires_at, t.reference, t.metadata, t.reverses_transfer_id,
       f.owner AS from_owner, r.owner AS to_owner
FROM transfers t
JOIN accounts f ON f.id = t.from_account_id
JOIN accounts r ON r.id = t.to_account_id
WHERE t.id = :id!::transfer_id;

/* Holds past their expiry marked `expired` (their reservation already ended by the clock: the ledger
   counts a hold only before its expires_at), the oldest first, at most :limit per call. It locks only
   these transfers and skips any a ledger call holds (a posting or void in flight: it ends the hold
   itself or leaves it for the next run), so it never waits for the ledger's locks nor makes it wait
   longer than this one statement. Each one's transfer.expired event is appended in the same statement
   (its data is built from the transfer when read), seen by both sides' owners. */
/* @name ExpireHolds */
WITH expired AS (
  UPDATE transfers t SET status = 'expired', released_amount = t.amount
  FROM (SELECT d.id FROM transfers d
        WHERE d.status = 'pending' AND d.expires_at <= now()
        ORDER BY d.expires_at LIMIT :limit! FOR UPDATE SKIP LOCKED) due
  WHERE t.id = due.id
  RETURNING t.*
), announced AS (
  INSERT INTO event_outbox (types, transfer_ids, datas, owners_a, owners_b)
  SELECT array_agg('transfer.expired'::text ORDER BY e.id), array_agg(e.id ORDER BY e.id), array_agg(NULL::json ORDER BY e.id),
         array_agg(fa.owner ORDER BY e.id), array_agg(nullif(ta.owner, fa.owner) ORDER BY e.id)
  FROM expired e JOIN accounts fa ON fa.id = e.from_account_id JOIN accounts ta ON ta.id = e.to_account_id
  HAVING count(*) > 0
)
SELECT id AS "id!", from_account_id AS "from_account_id!", to_account_id AS "to_account_id!", amount AS "amount!",
       expires_at AS "expires_at!"
FROM expired;
