-- migrate:up
-- Refresh tokens rotate: each renewal spends the presented token and stores the new one's hash.
-- The spent token stays recognisable for a 10 s grace (an answer lost on the way: renewing again is
-- harmless); presented later, it is a stolen token in use, and the session is blocked.
ALTER TABLE sessions
  ADD COLUMN previous_refresh_token_hash bytea,
  ADD COLUMN refresh_token_spent_at timestamptz,
  ADD CONSTRAINT sessions_previous_refresh_token_hash_length
    CHECK (previous_refresh_token_hash IS NULL OR octet_length(previous_refresh_token_hash) = 32);

-- migrate:down
ALTER TABLE sessions
  DROP CONSTRAINT sessions_previous_refresh_token_hash_length,
  DROP COLUMN refresh_token_spent_at,
  DROP COLUMN previous_refresh_token_hash;
