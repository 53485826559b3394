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
-- row per ledger call), and the sequencer (sql/functions/sequence_events.pgsql) gives numbers
-- afterwards to what has committed: one sequencer at a time (the row lock of `event_counter`), each
-- moving committed outbox rows into `events` with numbers above every earlier one. A reader sees a
-- sequencer's events only once it committed, and a sequencer starts only after the previous one's
-- commit is visible, so what a reader sees is always a prefix of the numbering: nothing can appear
-- below it later (tests/events/feed-order.test.ts proves it, and shows the naive numbering miss).
CREATE TABLE event_outbox (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  created_at timestamptz NOT NULL DEFAULT now(),
  -- One row per writing statement, not per event: a ledger call's events (in its items' order) are one
  -- row of parallel arrays, one element per event, so the call pays one tuple, one index entry and one
  -- later delete however many items it carries; the sequencer unnests them.
  types text[] NOT NULL,
  -- A transfer's event stores its transfer's id, not its data: the data (the Transfer object as the
  -- event left it) is built from the transfer's row when the event is read (the view event_feed).
  -- So the writer — the ledger call, holding its accounts' locks — builds no JSON and writes a narrow
  -- row, and nor does the sequencer: JSON is built only for events someone reads, off both
  -- transactions. What a reader builds is still what the change answered: a transfer's accounts,
  -- amount, times, reference and metadata never change; its status and posted_amount do (pending →
  -- posted, voided or expired, each final), and both follow from the event's type. No foreign key:
  -- its check would cost the writer a lookup per event, and the row is written in the transaction
  -- of the transfer it names (transfers are never deleted).
  transfer_ids bigint[] NOT NULL,
  -- Any other event (an account's, a user's) stores its data as it was (NULL for a transfer's).
  datas json[] NOT NULL,
  -- Who may see each besides bankers: the owners of the accounts it concerns (owner_b: the other side
  -- of a transfer, when another user; else NULL), or the user it is about.
  owners_a text[] NOT NULL,
  owners_b text[] NOT NULL,
  CONSTRAINT event_outbox_parallel CHECK (
    cardinality(types) > 0 AND cardinality(transfer_ids) = cardinality(types) AND cardinality(datas) = cardinality(types)
    AND cardinality(owners_a) = cardinality(types) AND cardinality(owners_b) = cardinality(types))
);

-- A numbered event: one element of an outbox row, with its number. Readers read it through the view
-- event_feed, which builds a transfer's data.
CREATE TABLE events (
  sequence bigint PRIMARY KEY,
  type text NOT NULL,
  created_at timestamptz NOT NULL,
  transfer_id bigint,
  data json,
  owner_a text NOT NULL,
  owner_b text,
  CONSTRAINT events_one_source CHECK ((transfer_id IS NULL) <> (data IS NULL))
);
-- A depositor's feed: their events in order, from either side (two index range scans, merged).
CREATE INDEX events_owner_a_idx ON events (owner_a, sequence);
CREATE INDEX events_owner_b_idx ON events (owner_b, sequence) WHERE owner_b IS NOT NULL;
-- Retention deletes by age: a BRIN index (events are appended in time order), which costs a write
-- only once per block range, not per event.
CREATE INDEX events_created_at_idx ON events USING brin (created_at);

-- Events as readers see them (the feed, the stream, webhook deliveries). A transfer's data is the
-- Transfer object as the event left it, built from the transfer's row at each read: which fields can
-- have changed since and why the others cannot, at the table event_outbox. Written once per event
-- and read a few times (a feed reader, each webhook endpoint), so the JSON is built by the readers,
-- off the ledger's transaction and the sequencer's.
CREATE VIEW event_feed AS
SELECT e.sequence, e.type, e.created_at, e.owner_a, e.owner_b,
       coalesce(e.data, json_build_object('transfer', json_build_object(
         'id', t.id, 'from_account_id', t.from_account_id, 'to_account_id', t.to_account_id,
         'amount', t.amount, 'created_at', api_timestamp(t.created_at), 'status', substr(e.type, 10),
         'posted_amount', CASE WHEN e.type = 'transfer.posted' THEN t.posted_amount ELSE 0 END,
         'expires_at', api_timestamp(t.expires_at), 'reference', t.reference, 'metadata', t.metadata,
         'reverses_transfer_id', t.reverses_transfer_id))) AS data
FROM events e
LEFT JOIN transfers t ON t.id = e.transfer_id;

-- The last sequence given: one row, whose lock admits one sequencer at a time.
CREATE TABLE event_counter (
  only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  last bigint NOT NULL
);
INSERT INTO event_counter (last) VALUES (0);

-- migrate:down
DROP TABLE event_counter;
DROP VIEW event_feed;
DROP TABLE events;
DROP TABLE event_outbox;
