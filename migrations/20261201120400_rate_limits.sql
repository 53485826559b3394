-- migrate:up
-- Attempt counters (login per IP and per username, sign-up per IP) shared by every replica: one
-- fixed window per key. UNLOGGED: counters need no WAL, fsync or standby copy; after a crash of the
-- database they start from zero, which only forgives a few attempts.
CREATE UNLOGGED TABLE rate_limits (
  key          text        NOT NULL,
  window_start timestamptz NOT NULL,
  hits         integer     NOT NULL,
  CONSTRAINT rate_limits_pkey PRIMARY KEY (key)
);

-- migrate:down
DROP TABLE rate_limits;
