-- The reference designs' functions, written for this project's schema (its migrations, its tables,
-- domains and constraints: entries name their transfer, transfers carry their currency, the
-- (account, currency) foreign keys; a transfer's posted_amount and each entry's balance_after, as
-- the service writes them): what one transfer costs the database when it is made the simplest ways. Loaded into a throwaway database migrated and seeded like ledger_ref
-- (bench/pgbench/ledger_seed.sql: 10,000 funded USD accounts from :lo). Never in the service's.

-- C. One plpgsql call per transfer: both rows locked in id order, funds checked, one transfer row,
--    two entries, two balance updates. One round trip.
CREATE OR REPLACE FUNCTION ref_transfer(p_from bigint, p_to bigint, p_amount bigint)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  v_balance bigint;
  v_id bigint;
  v_from_after bigint;
  v_to_after bigint;
BEGIN
  PERFORM 1 FROM accounts WHERE id IN (p_from, p_to) ORDER BY id FOR NO KEY UPDATE;
  SELECT balance INTO v_balance FROM accounts WHERE id = p_from;
  IF v_balance < p_amount THEN
    RAISE EXCEPTION 'insufficient funds' USING ERRCODE = 'P0001';
  END IF;
  INSERT INTO transfers (from_account_id, to_account_id, amount, currency, posted_amount)
  VALUES (p_from, p_to, p_amount, 'USD', p_amount) RETURNING id INTO v_id;
  UPDATE accounts SET balance = balance - p_amount WHERE id = p_from RETURNING balance INTO v_from_after;
  UPDATE accounts SET balance = balance + p_amount WHERE id = p_to RETURNING balance INTO v_to_after;
  INSERT INTO entries (account_id, amount, transfer_id, balance_after)
  VALUES (p_from, -p_amount, v_id, v_from_after), (p_to, p_amount, v_id, v_to_after);
  RETURN v_id;
END $$;

-- D. Many transfers per call (what a batch of the simplest function costs): every row of the batch
--    locked first in id order, then each transfer as in C.
CREATE OR REPLACE FUNCTION ref_transfer_batch(p_from bigint[], p_to bigint[], p_amount bigint[])
RETURNS int LANGUAGE plpgsql AS $$
DECLARE
  i int;
  v_id bigint;
  v_from_after bigint;
  v_to_after bigint;
BEGIN
  PERFORM 1 FROM accounts WHERE id = ANY (p_from || p_to) ORDER BY id FOR NO KEY UPDATE;
  FOR i IN 1 .. coalesce(array_length(p_from, 1), 0) LOOP
    INSERT INTO transfers (from_account_id, to_account_id, amount, currency, posted_amount)
    VALUES (p_from[i], p_to[i], p_amount[i], 'USD', p_amount[i]) RETURNING id INTO v_id;
    UPDATE accounts SET balance = balance - p_amount[i] WHERE id = p_from[i] RETURNING balance INTO v_from_after;
    UPDATE accounts SET balance = balance + p_amount[i] WHERE id = p_to[i] RETURNING balance INTO v_to_after;
    INSERT INTO entries (account_id, amount, transfer_id, balance_after)
    VALUES (p_from[i], -p_amount[i], v_id, v_from_after), (p_to[i], p_amount[i], v_id, v_to_after);
  END LOOP;
  RETURN coalesce(array_length(p_from, 1), 0);
END $$;
