-- migrate:up

-- Written by `npm run codegen` from sql/functions/enqueue_job.pgsql: edit that file, never this one.
-- up: the function as the source has it; down: the function as it was before.
-- Adds a graphile-worker job in the caller's transaction: it exists if and only if the change that
-- queued it commits. The job queue's schema (graphile_worker) is installed by the worker itself when the
-- service starts; before that first start there is none, and the job is not added — the caller's own
-- row (e.g. an unsent verify_emails row) stays, and the worker's sweep queues it once it runs.
-- One job per key at a time (job_key): queuing again what is queued changes nothing.
--
-- The queue being installed or upgraded at this very moment (graphile-worker changes its schema in
-- steps, a transaction each, when a worker starts) must neither fail the caller's change nor meet a
-- half-changed schema: that met dropped tables, deadlocked with the install, and once crashed the
-- PostgreSQL 15 backend running add_job. A worker changes the schema only while it holds the
-- advisory lock 'graphile_worker schema' exclusively (src/platform/jobs.ts); this function tries
-- it shared, for the caller's transaction, and when an install holds or awaits it, leaves the job to
-- the sweep. Holding it shared, it keeps an install from starting until the caller commits.
CREATE OR REPLACE FUNCTION enqueue_job(p_task text, p_payload json, p_key text)
RETURNS boolean
LANGUAGE plpgsql
AS $$
BEGIN
  IF NOT pg_try_advisory_xact_lock_shared(hashtextextended('graphile_worker schema', 0))
     OR to_regproc('graphile_worker.add_job') IS NULL THEN
    RETURN false;
  END IF;
  BEGIN
    EXECUTE 'SELECT graphile_worker.add_job($1, $2, job_key => $3, job_key_mode => ''preserve_run_at'', max_attempts => 10)'
      USING p_task, p_payload, p_key;
  EXCEPTION WHEN OTHERS THEN
    -- A fault of the queue (none is expected): the change goes on; the sweep queues the job.
    RAISE WARNING 'enqueue_job(%): not queued now (%: %); the sweep will', p_task, SQLSTATE, SQLERRM;
    RETURN false;
  END;
  RETURN true;
END;
$$;

-- migrate:down
-- The function did not exist before this migration.
DROP FUNCTION enqueue_job(p_task text, p_payload json, p_key text);
