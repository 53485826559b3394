-- migrate:up

-- Webhooks (API v1.3): endpoints per user, the deliveries log, and the fan-out cursor. Deliveries are
-- graphile-worker jobs (src/platform/jobs.ts): `webhook_fanout` turns numbered events into one
-- `deliver_webhook` job per endpoint that may see each (sql/functions/fan_out_webhooks.pgsql), in the
-- transaction that advances the cursor, so an event is handed to its endpoints once and never lost.
CREATE TABLE webhook_endpoints (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  owner text NOT NULL REFERENCES users (username) ON UPDATE CASCADE ON DELETE CASCADE,
  url text NOT NULL,
  -- NULL: every type.
  event_types text[],
  -- Standard Webhooks: 'whsec_' + base64 of the key. Kept to sign; shown once, at registration.
  secret text NOT NULL,
  -- It receives the events numbered after its registration.
  after_sequence bigint NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_endpoints_owner_idx ON webhook_endpoints (owner, id);

CREATE TABLE webhook_deliveries (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  endpoint_id bigint NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
  event_sequence bigint NOT NULL,
  attempt int NOT NULL,
  -- delivered (2xx), retrying (another attempt is scheduled), failed (the delays are used up)
  outcome text NOT NULL CONSTRAINT webhook_deliveries_outcome_known CHECK (outcome IN ('delivered', 'retrying', 'failed')),
  status_code int,
  error text,
  duration_ms int NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_deliveries_endpoint_idx ON webhook_deliveries (endpoint_id, id DESC);
CREATE INDEX webhook_deliveries_created_at_idx ON webhook_deliveries (created_at);

-- The last event sequence handed to the endpoints; its row lock admits one fan-out at a time.
CREATE TABLE webhook_fanout (
  only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  last bigint NOT NULL
);
INSERT INTO webhook_fanout (last) SELECT last FROM event_counter;

-- migrate:down
DROP TABLE webhook_fanout;
DROP TABLE webhook_deliveries;
DROP TABLE webhook_endpoints;
