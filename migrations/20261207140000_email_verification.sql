-- migrate:up

-- Email verification (API v1.3), as the Go project does it: a sign-up or a change of email queues a
-- verification email in the same transaction (a verify_emails row, and its job when the job queue is
-- installed: sql/functions/enqueue_job.pgsql); the worker sends it; the link's code is good for 15
-- minutes, once, for the email it was sent to.
ALTER TABLE users ADD COLUMN is_email_verified boolean NOT NULL DEFAULT false;

CREATE TABLE verify_emails (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  username text NOT NULL REFERENCES users (username) ON UPDATE CASCADE ON DELETE CASCADE,
  email text NOT NULL,
  secret_code text NOT NULL,
  is_used boolean NOT NULL DEFAULT false,
  -- When the SMTP server accepted it; NULL: still to send (the sweep finds it).
  sent_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  expired_at timestamptz NOT NULL DEFAULT now() + interval '15 minutes'
);
CREATE INDEX verify_emails_unsent_idx ON verify_emails (created_at) WHERE sent_at IS NULL AND NOT is_used;
CREATE INDEX verify_emails_username_idx ON verify_emails (username);

-- migrate:down
DROP TABLE verify_emails;
ALTER TABLE users DROP COLUMN is_email_verified;
