-- migrate:up

-- Events (API v1.3, "Events: a feed, a stream and webhooks"): what changed, appended in the same
-- transaction as the change, read by a feed that never skips one.
--
-- Why two tables. A reader pages with `after=S` and must never see an event appear at or below a
-- sequence it was already given. A Postgres sequence taken inside the writing transaction cannot
-- promise that: a transaction that took 41 may commit after one that took 42, and a reader between
-- the two commits is handed 42 and then never 41. Taking the number under a lock held until commit
-- would order them, but would serialize every ledger commit (and its wait for the synchronous
-- standby) behind one lock. So a writer only appends to `event_outbox` (no number, no lock: one
-- INSERT per ledger call), and the sequencer (sql/functions/sequence_events.pgsql) gives numbers
-- afterwards to what has committed: one sequencer at a time (the row lock of `event_counter`), each
-- moving committed outbox rows into `events` with numbers above every earlier one. A reader sees a
-- sequencer's events only once it committed, and a sequencer starts only after the previous one's
-- commit is visible, so what a reader sees is always a prefix of the numbering: nothing can appear
-- below it later (tests/events/feed-order.test.ts proves it, and shows the naive numbering miss).
CREATE TABLE event_outbox (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  type text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  -- A transfer's event names only its transfer: the sequencer builds its data (the Transfer object as
  -- the event left it) and its owners from the transfer's row. The writer — the ledger call, holding
  -- its accounts' locks — then writes a narrow row and builds no JSON: every byte and every moment it
  -- saves is taken off the time those locks are held. What the sequencer reads of the row cannot have
  -- changed since: a transfer's accounts, amount, times, reference and metadata never change; its
  -- status and posted_amount do (pending → posted, voided or expired, each final), and both follow
  -- from the event's type. No foreign key: its check would cost the writer a lookup per event, and
  -- the row is written in the same statement's transaction as the transfer it names.
  transfer_id bigint,
  -- Any other event (an account's, a user's) carries its data as it was, and who may see it besides
  -- bankers: the owner of the account, or the user it is about.
  data json,
  owner_a text,
  CONSTRAINT event_outbox_one_source CHECK (CASE WHEN transfer_id IS NULL THEN data IS NOT NULL AND owner_a IS NOT NULL
                                                 ELSE data IS NULL AND owner_a IS NULL END)
);

CREATE TABLE events (
  sequence bigint PRIMARY KEY,
  type text NOT NULL,
  created_at timestamptz NOT NULL,
  data json NOT NULL,
  owner_a text NOT NULL,
  owner_b text
);
-- A depositor's feed: their events in order, from either side (two index range scans, merged).
CREATE INDEX events_owner_a_idx ON events (owner_a, sequence);
CREATE INDEX events_owner_b_idx ON events (owner_b, sequence) WHERE owner_b IS NOT NULL;
-- Retention deletes by age: a BRIN index (events are appended in time order), which costs a write
-- only once per block range, not per event.
CREATE INDEX events_created_at_idx ON events USING brin (created_at);

-- The last sequence given: one row, whose lock admits one sequencer at a time.
CREATE TABLE event_counter (
  only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  last bigint NOT NULL
);
INSERT INTO event_counter (last) VALUES (0);

-- migrate:down
DROP TABLE event_counter;
DROP TABLE events;
DROP TABLE event_outbox;
