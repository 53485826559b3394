-- migrate:up
-- One index of an account's entries instead of two. entries_account_time_idx (account, created_at DESC,
-- id DESC) serves the balance as of a time and, since this step, the entries listing (keyset on
-- (created_at, id): sql/entries.sql). entries_account_id_idx (account, id DESC) served only the listing,
-- and cost every movement two more index entries and their WAL.
DROP INDEX entries_account_id_idx;

-- migrate:down
CREATE INDEX entries_account_id_idx ON entries (account_id, id DESC);
