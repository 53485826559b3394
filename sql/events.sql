/* Events (API v1.3): the outbox is numbered by the sequencer (sql/functions/sequence_events.pgsql);
   readers read `events` through the view event_feed (a transfer's data built from its row), and every
   state of `events` a reader sees is a prefix of the numbering. */

/* Numbers what has committed to the outbox, at most :limit rows (writing statements, each of one or more
   events); NOTIFYs the last number. */
/* @name SequenceEvents */
SELECT moved AS "moved!", last AS "last!", rows_taken AS "rows_taken!" FROM sequence_events(:limit!);

/* The last number given (0: none yet). */
/* @name LastEventSequence */
SELECT last AS "last!" FROM event_counter;

/* Who may see the events after :after: what a process reads once for all its waiters to know whom to
   wake (each then reads its own page). Only the numbers and owners, from `events` itself: no data is
   built for a read whose rows only decide who wakes. */
/* @name ListNewEventOwners */
SELECT sequence AS "sequence!", owner_a AS "owner_a!", owner_b
FROM events
WHERE sequence > :after!
ORDER BY sequence
LIMIT :limit!;

/* A banker's feed: every event after :after, ascending. */
/* @name ListAllEvents */
SELECT sequence AS "sequence!", type AS "type!", api_timestamp(created_at) AS "created_at!", data AS "data!",
       owner_a AS "owner_a!", owner_b
FROM event_feed
WHERE sequence > :after!
ORDER BY sequence
LIMIT :limit!;

/* A depositor's feed: the events of their own accounts and user, from either side (two index range
   scans on events_owner_a_idx / events_owner_b_idx; owner_b is never owner_a, so no event twice). */
/* @name ListOwnEvents */
SELECT sequence AS "sequence!", type AS "type!", api_timestamp(created_at) AS "created_at!", data AS "data!",
       owner_a AS "owner_a!", owner_b
FROM (
  (SELECT * FROM event_feed WHERE owner_a = :owner! AND sequence > :after! ORDER BY sequence LIMIT :limit!)
  UNION ALL
  (SELECT * FROM event_feed WHERE owner_b = :owner! AND sequence > :after! ORDER BY sequence LIMIT :limit!)
) own
ORDER BY sequence
LIMIT :limit!;

/* Retention: a batch of events older than :before (run until it deletes fewer than :limit). */
/* @name DeleteOldEvents */
DELETE FROM events
WHERE sequence IN (SELECT e.sequence FROM events e WHERE e.created_at < :before! ORDER BY e.sequence LIMIT :limit!);

/* For the metrics: events committed and not yet numbered, and the age of the oldest (0: none). */
/* @name OutboxStats */
SELECT coalesce(sum(cardinality(types)), 0)::int AS "events!", coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8 AS "oldest_age_s!"
FROM event_outbox;
