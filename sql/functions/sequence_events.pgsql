-- The events' sequencer: numbers what has committed to the outbox, in one transaction, and announces
-- the last number (NOTIFY simplebank_events). Why numbers are given here and not by the writers:
-- migrations/20261207120000_events.sql. Called by src/events/feed.ts after every ledger call of
-- its process and once a second (what other processes or a crashed one left), on every replica.
--
-- One at a time: the row lock of event_counter. A sequencer that waited for it reads the counter the
-- previous one committed, and its DELETE (a statement of its own, so a snapshot taken after that
-- commit) sees which outbox rows are gone. Numbers therefore follow the commits of sequencers, and a
-- reader that sees this call's events sees every earlier call's.
CREATE OR REPLACE FUNCTION sequence_events(p_limit int)
RETURNS TABLE (moved int, last bigint)
LANGUAGE plpgsql
SET lock_timeout = '4s'
AS $$
#variable_conflict use_column
DECLARE
  v_base bigint;
  v_n int;
BEGIN
  SELECT c.last INTO v_base FROM event_counter c FOR UPDATE;
  WITH gone AS (
    DELETE FROM event_outbox o
    WHERE o.id IN (SELECT q.id FROM event_outbox q ORDER BY q.id LIMIT p_limit)
    RETURNING o.id, o.type, o.created_at, o.transfer_id, o.data, o.owner_a, o.owner_b
  ), numbered AS (
    INSERT INTO events (sequence, type, created_at, transfer_id, data, owner_a, owner_b)
    SELECT v_base + row_number() OVER (ORDER BY g.id), g.type, g.created_at, g.transfer_id, g.data, g.owner_a, g.owner_b
    FROM gone g
    RETURNING 1
  )
  SELECT count(*) INTO v_n FROM numbered;
  IF v_n > 0 THEN
    UPDATE event_counter SET last = v_base + v_n;
    PERFORM pg_notify('simplebank_events', (v_base + v_n)::text);
  END IF;
  moved := v_n; last := v_base + v_n;
  RETURN NEXT;
END;
$$;
