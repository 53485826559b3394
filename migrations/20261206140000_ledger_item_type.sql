-- migrate:up

-- One item of a ledger call (sql/functions/ledger_batch.sql), as the service sends it: a JSON array of
-- objects with these names, read by jsonb_populate_recordset. An attribute an item does not need is
-- absent (NULL), never a stand-in value. A new kind of item adds attributes here (ALTER TYPE … ADD
-- ATTRIBUTE), not a new parameter.
CREATE TYPE ledger_item AS (
  kind            text,    -- 'transfer' | 'deposit' | 'withdrawal'
  from_account_id bigint,  -- transfer: the sender's account
  to_account_id   bigint,  -- transfer: the receiver's account
  account_id      bigint,  -- deposit, withdrawal: the customer's account
  amount          bigint,
  currency        text,    -- transfer: its currency (deposit, withdrawal: the account's)
  acting_owner    text,    -- when set, the sending account must belong to this user (else 403)
  key_user        text,    -- Idempotency-Key: the caller it is scoped to, the key, the request's fingerprint
  key             text,
  fingerprint     bytea
);

-- transfer_tx_batch (ten parallel arrays) is superseded by ledger_batch (sql/functions/ledger_batch.pgsql,
-- applied by the migration after this one). It stays for one release, so that pods of the previous
-- release keep moving money during a rolling update (docs/operations.md: add, then remove in a later
-- release); nothing in this release calls it.
COMMENT ON FUNCTION transfer_tx_batch(text[], bigint[], bigint[], bigint[], text[], text[], text[], text[], bytea[], bigint) IS
  'superseded by ledger_batch (sql/functions/ledger_batch.pgsql); kept for the previous release during a rolling update; to be dropped by the next release';

-- migrate:down

COMMENT ON FUNCTION transfer_tx_batch(text[], bigint[], bigint[], bigint[], text[], text[], text[], text[], bytea[], bigint) IS NULL;
DROP TYPE ledger_item;
