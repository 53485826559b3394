-- migrate:up

-- Timeouts travel with the work, not with the connection. Behind a transaction-mode pooler
-- (PgBouncer) a connection's settings are not ours to keep: PgBouncer 1.18 refuses a startup
-- parameter such as statement_timeout, or, told to ignore it, silently drops it. So the ledger
-- function bounds its own lock waits (a batch waiting behind a lock held too long gives up with
-- 55P03 and is answered 503, retry with the same Idempotency-Key), below the service's client-side
-- bound on every query, and transactions set theirs with SET LOCAL (src/db/transaction.ts).
ALTER FUNCTION transfer_tx_batch(text[], bigint[], bigint[], bigint[], text[], text[], text[], text[], bytea[], bigint)
  SET lock_timeout = '4s';

-- migrate:down

ALTER FUNCTION transfer_tx_batch(text[], bigint[], bigint[], bigint[], text[], text[], text[], text[], bytea[], bigint)
  RESET lock_timeout;
