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
RETURNS TABLE (moved int, last bigint, rows_taken int)
LANGUAGE plpgsql
SET lock_timeout = '4s'
AS $$
#variable_conflict use_column
DECLARE
  v_base bigint;
  v_n int;
  v_rows int;
BEGIN
  SELECT c.last INTO v_base FROM event_counter c FOR UPDATE;
  -- At most p_limit outbox rows (writing statements) a run, each unnested into its events in order.
  WITH gone AS (
    DELETE FROM event_outbox o
    WHERE o.id IN (SELECT q.id FROM event_outbox q ORDER BY q.id LIMIT p_limit)
    RETURNING o.id, o.created_at, o.types, o.transfer_ids, o.datas, o.owners_a, o.owners_b
  ), numbered AS (
    INSERT INTO events (sequence, type, created_at, transfer_id, data, owner_a, owner_b)
    SELECT v_base + row_number() OVER (ORDER BY g.id, u.n), u.type, g.created_at, u.tid, u.data, u.oa, u.ob
    FROM gone g,
         unnest(g.types, g.transfer_ids, g.datas, g.owners_a, g.owners_b) WITH ORDINALITY AS u(type, tid, data, oa, ob, n)
    RETURNING 1
  )
  SELECT (SELECT count(*) FROM numbered), (SELECT count(*) FROM gone) INTO v_n, v_rows;
  IF v_n > 0 THEN
    UPDATE event_counter SET last = v_base + v_n;
    PERFORM pg_notify('simplebank_events', (v_base + v_n)::text);
  END IF;
  moved := v_n; last := v_base + v_n; rows_taken := v_rows;
  RETURN NEXT;
END;
$$;
