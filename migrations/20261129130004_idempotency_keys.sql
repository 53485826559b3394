-- migrate:up
-- The stored outcome of a money-moving request made with an Idempotency-Key. A row is written in the
-- same transaction as the money movement it describes, so after a crash a key either has both or
-- neither. Keys are scoped to the caller.
CREATE TABLE idempotency_keys (
  username    text        NOT NULL,
  key         text        NOT NULL,
  -- SHA-256 of method, path and the canonical JSON body: same key + another request is refused.
  fingerprint bytea       NOT NULL,
  status      integer     NOT NULL,
  response    jsonb       NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT idempotency_keys_pkey PRIMARY KEY (username, key),
  CONSTRAINT idempotency_keys_username_fkey FOREIGN KEY (username) REFERENCES users (username) ON DELETE CASCADE,
  CONSTRAINT idempotency_keys_key_length CHECK (char_length(key) BETWEEN 1 AND 255),
  CONSTRAINT idempotency_keys_status_stored CHECK (status IN (201, 422))
);

-- The cleanup of expired keys walks this index.
CREATE INDEX idempotency_keys_created_at_idx ON idempotency_keys (created_at);

-- migrate:down
DROP TABLE idempotency_keys;
