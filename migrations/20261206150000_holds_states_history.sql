-- migrate:up

-- Money that waits and comes back (API v1.3): account states, holds (two-phase transfers), reversals,
-- reference and metadata, balance history. The ledger function (sql/functions/ledger_batch.pgsql)
-- writes all of it; the constraints below are named for the error mapping (src/db/pg-errors.ts) and
-- hold whatever the function does.

-- The rules a row must obey are few constraints, on purpose: Postgres prepares every CHECK of a table
-- anew for each statement that writes it (a ledger call writes transfers, entries and accounts once
-- each), so each costs the ledger on every call, whatever the batch. A rule on one value is a domain
-- (its check is prepared once per connection); the rules across columns are one CHECK per table. Every
-- rule is checked by the ledger before it writes, under its locks (these are the backstop): none is
-- the way a request learns of a refusal.
CREATE DOMAIN account_status AS text CONSTRAINT accounts_status_known CHECK (VALUE IN ('open', 'frozen', 'closed'));
CREATE DOMAIN transfer_status AS text CONSTRAINT transfers_status_known CHECK (VALUE IN ('posted', 'pending', 'voided', 'expired'));
CREATE DOMAIN transfer_reference AS text CONSTRAINT transfers_reference_length CHECK (char_length(VALUE) BETWEEN 1 AND 128);
CREATE DOMAIN transfer_metadata AS jsonb CONSTRAINT transfers_metadata_object CHECK (jsonb_typeof(VALUE) = 'object');

-- Account states: open, frozen (neither sends nor receives), closed (final, only at balance 0); a
-- funding account stays open.
ALTER TABLE accounts
  ADD COLUMN status account_status NOT NULL DEFAULT 'open',
  ADD CONSTRAINT accounts_state_consistent CHECK ((NOT is_funding OR status = 'open') AND (status <> 'closed' OR balance = 0));
-- One account per owner and currency that is not closed: a closed one makes room for a new one. The
-- index keeps the constraint's name (its violation is 409 account_exists).
ALTER TABLE accounts DROP CONSTRAINT accounts_owner_currency_key;
CREATE UNIQUE INDEX accounts_owner_currency_key ON accounts (owner, currency) WHERE status <> 'closed';
CREATE INDEX accounts_owner_idx ON accounts (owner);

-- Transfers: a hold is a transfer with status 'pending' and an expiry; it reserves its amount on the
-- sender (available = balance − live holds) and writes no entry until it is posted. posted_amount is
-- what moved: all of an immediate transfer, what a posting took of a hold (the rest released), nothing
-- of a hold that is pending, voided or expired.
ALTER TABLE transfers
  ADD COLUMN status transfer_status NOT NULL DEFAULT 'posted',
  ADD COLUMN expires_at timestamptz,
  ADD COLUMN released_amount bigint NOT NULL DEFAULT 0,
  ADD COLUMN posted_amount bigint,
  ADD COLUMN reversed_amount bigint NOT NULL DEFAULT 0,
  ADD COLUMN reverses_transfer_id bigint,
  ADD COLUMN reference transfer_reference,
  ADD COLUMN metadata transfer_metadata NOT NULL DEFAULT '{}',
  ADD CONSTRAINT transfers_reverses_fkey FOREIGN KEY (reverses_transfer_id) REFERENCES transfers (id);
-- Every transfer so far moved all of its amount.
UPDATE transfers SET posted_amount = amount;
ALTER TABLE transfers
  ALTER COLUMN posted_amount SET NOT NULL,
  -- A hold ends once and moves at most its amount; the reversals of a transfer never sum past what it
  -- moved (invariant 10); a hold has an expiry.
  ADD CONSTRAINT transfers_amounts_consistent CHECK (
    released_amount BETWEEN 0 AND amount
    AND posted_amount = CASE WHEN status = 'posted' THEN amount - released_amount ELSE 0 END
    AND reversed_amount BETWEEN 0 AND posted_amount
    AND (status = 'posted' OR expires_at IS NOT NULL));
-- The live holds of an account, out and in (its pending debits and credits), and the holds to expire:
-- partial indexes, so an immediate transfer writes none of them.
-- (account, expires_at): both of a live hold's conditions are the index's, so a sum never reads the live
-- holds of other accounts (tests/ledger/plans.test.ts).
CREATE INDEX transfers_pending_from_idx ON transfers (from_account_id, expires_at) INCLUDE (amount) WHERE status = 'pending';
CREATE INDEX transfers_pending_to_idx ON transfers (to_account_id, expires_at) INCLUDE (amount) WHERE status = 'pending';
CREATE INDEX transfers_pending_expiry_idx ON transfers (expires_at) WHERE status = 'pending';

-- Balance history: every entry carries its account's posted balance right after it (the function
-- writes it), so the balance as of any time is one index probe (entries_account_time_idx).
ALTER TABLE entries ADD COLUMN balance_after bigint;
UPDATE entries e SET balance_after = s.b
FROM (SELECT id, sum(amount) OVER (PARTITION BY account_id ORDER BY id) AS b FROM entries) s
WHERE s.id = e.id;
ALTER TABLE entries ALTER COLUMN balance_after SET NOT NULL;
CREATE INDEX entries_account_time_idx ON entries (account_id, created_at DESC, id DESC);

-- The ledger item gains what the new kinds need.
ALTER TYPE ledger_item
  ADD ATTRIBUTE transfer_id bigint,       -- post, void, reverse: the transfer they act on
  ADD ATTRIBUTE pending boolean,          -- transfer: a hold
  ADD ATTRIBUTE timeout_seconds int,      -- a hold's life
  ADD ATTRIBUTE reference text,
  ADD ATTRIBUTE metadata jsonb;

-- A posting, a void and an account's change of state answer 200; stored under a key like the rest.
ALTER TABLE idempotency_keys DROP CONSTRAINT idempotency_keys_status_stored,
  ADD CONSTRAINT idempotency_keys_status_stored CHECK (status IN (200, 201, 422));

-- migrate:down

-- Nothing that v1.2 cannot hold is thrown away: with holds, reversals or closed accounts in the
-- database, going down is refused.
DO $$
BEGIN
  IF EXISTS (SELECT FROM transfers WHERE status <> 'posted' OR expires_at IS NOT NULL OR reverses_transfer_id IS NOT NULL)
     OR EXISTS (SELECT FROM accounts WHERE status <> 'open')
     OR EXISTS (SELECT FROM idempotency_keys WHERE status = 200) THEN
    RAISE EXCEPTION 'holds, reversals or frozen/closed accounts exist: v1.2 cannot hold them';
  END IF;
END $$;
ALTER TABLE idempotency_keys DROP CONSTRAINT idempotency_keys_status_stored,
  ADD CONSTRAINT idempotency_keys_status_stored CHECK (status IN (201, 422));
ALTER TYPE ledger_item DROP ATTRIBUTE transfer_id, DROP ATTRIBUTE pending, DROP ATTRIBUTE timeout_seconds,
  DROP ATTRIBUTE reference, DROP ATTRIBUTE metadata;
DROP INDEX entries_account_time_idx;
ALTER TABLE entries DROP COLUMN balance_after;
DROP INDEX transfers_pending_expiry_idx;
DROP INDEX transfers_pending_to_idx;
DROP INDEX transfers_pending_from_idx;
ALTER TABLE transfers
  DROP COLUMN metadata, DROP COLUMN reference, DROP COLUMN reverses_transfer_id, DROP COLUMN reversed_amount,
  DROP COLUMN posted_amount, DROP COLUMN released_amount, DROP COLUMN expires_at, DROP COLUMN status;
DROP INDEX accounts_owner_idx;
DROP INDEX accounts_owner_currency_key;
ALTER TABLE accounts ADD CONSTRAINT accounts_owner_currency_key UNIQUE (owner, currency);
ALTER TABLE accounts DROP CONSTRAINT accounts_state_consistent, DROP COLUMN status;
DROP DOMAIN transfer_metadata;
DROP DOMAIN transfer_reference;
DROP DOMAIN transfer_status;
DROP DOMAIN account_status;
