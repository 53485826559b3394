-- migrate:up

-- Written by `npm run codegen` from sql/functions/fan_out_webhooks.pgsql: edit that file, never this one.
-- up: the function as the source has it; down: the function as it was before.
-- Webhooks' fan-out: the events numbered since the last fan-out, each handed to every endpoint that may
-- see it (its owner's visibility, its event types, registered before the event was numbered) as one
-- graphile-worker job `deliver_webhook` keyed by endpoint and event, in the transaction that advances
-- the cursor: once, and never lost (a crash before commit leaves the cursor where it was). Run by the
-- `webhook_fanout` job (src/platform/jobs.ts) after the sequencer numbered something, and every minute.
-- graphile_worker is the job queue's own schema, installed by the worker at its start: the function is
-- called only from a worker's task, when it exists.
CREATE OR REPLACE FUNCTION fan_out_webhooks(p_limit int)
RETURNS TABLE (events int, jobs int)
LANGUAGE plpgsql
SET lock_timeout = '4s'
AS $$
#variable_conflict use_column
DECLARE
  v_from bigint;
  v_to bigint;
  v_jobs int := 0;
  r record;
BEGIN
  SELECT f.last INTO v_from FROM webhook_fanout f FOR UPDATE;
  SELECT max(s.sequence), count(*) INTO v_to, events
  FROM (SELECT e.sequence FROM events e WHERE e.sequence > v_from ORDER BY e.sequence LIMIT p_limit) s;
  IF v_to IS NULL THEN
    jobs := 0; RETURN NEXT; RETURN;
  END IF;
  FOR r IN
    SELECT w.id AS endpoint_id, e.sequence
    FROM events e
    JOIN webhook_endpoints w ON e.sequence > w.after_sequence
      AND (w.event_types IS NULL OR e.type = ANY (w.event_types))
    JOIN users u ON u.username = w.owner
    WHERE e.sequence > v_from AND e.sequence <= v_to
      AND (u.role = 'banker' OR e.owner_a = w.owner OR e.owner_b = w.owner)
    ORDER BY e.sequence, w.id
  LOOP
    PERFORM graphile_worker.add_job('deliver_webhook',
      json_build_object('endpoint_id', r.endpoint_id, 'sequence', r.sequence, 'attempt', 1),
      max_attempts => 10,
      job_key => format('webhook:%s:%s', r.endpoint_id, r.sequence));
    v_jobs := v_jobs + 1;
  END LOOP;
  UPDATE webhook_fanout SET last = v_to;
  jobs := v_jobs;
  RETURN NEXT;
END;
$$;

-- migrate:down

DROP FUNCTION fan_out_webhooks(p_limit integer);
