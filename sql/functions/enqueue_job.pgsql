-- Adds a graphile-worker job in the caller's transaction: it exists if and only if the change that
-- queued it commits. The job queue's schema (graphile_worker) is installed by the worker itself when the
-- service starts; before that first start there is none, and the job is not added — the caller's own
-- row (e.g. an unsent verify_emails row) stays, and the worker's sweep queues it once it runs.
-- One job per key at a time (job_key): queuing again what is queued changes nothing. The queue being
-- installed or upgraded at this very moment (its schema changes in steps while a worker starts) must
-- not fail the caller's change: the job is then left to the sweep too.
CREATE OR REPLACE FUNCTION enqueue_job(p_task text, p_payload json, p_key text)
RETURNS boolean
LANGUAGE plpgsql
AS $$
BEGIN
  IF to_regproc('graphile_worker.add_job') IS NULL THEN
    RETURN false;
  END IF;
  BEGIN
    EXECUTE 'SELECT graphile_worker.add_job($1, $2, job_key => $3, job_key_mode => ''preserve_run_at'', max_attempts => 10)'
      USING p_task, p_payload, p_key;
  EXCEPTION WHEN OTHERS THEN
    -- Seen while a worker's first start installs the queue: an older add_job, a table being replaced
    -- ("could not open relation"). The change goes on; the sweep queues the job.
    RAISE WARNING 'enqueue_job(%): not queued now (%: %); the sweep will', p_task, SQLSTATE, SQLERRM;
    RETURN false;
  END;
  RETURN true;
END;
$$;
