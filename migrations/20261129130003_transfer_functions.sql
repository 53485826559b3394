-- migrate:up

-- The whole money movement runs inside the database in one call, so row locks are held for the
-- time Postgres needs, not across network round trips. Rule violations are raised with stable
-- SQLSTATEs of our own class 'SB' (mapped to typed errors in src/db/errors.ts):
--   SB001 account not found (DETAIL names the id)   SB002 from-account not owned by the caller
--   SB003 currency mismatch                         SB004 from = to
--   SB005 insufficient funds
-- The table constraints stay as the backstop for anything that bypasses these functions.
CREATE FUNCTION transfer_tx(
  p_from_account_id bigint,
  p_to_account_id   bigint,
  p_amount          bigint,
  p_currency        text,
  p_acting_owner    text  -- NULL: no ownership check (deposits, withdrawals, internal use)
) RETURNS TABLE (
  transfer_id          bigint,
  transfer_amount      bigint,
  transfer_created_at  timestamptz,
  from_account_id      bigint,
  from_owner           text,
  from_balance         bigint,
  from_currency        text,
  from_created_at      timestamptz,
  to_account_id        bigint,
  to_owner             text,
  to_balance           bigint,
  to_currency          text,
  to_created_at        timestamptz,
  from_entry_id        bigint,
  from_entry_amount    bigint,
  to_entry_id          bigint,
  to_entry_amount      bigint,
  entries_created_at   timestamptz
)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  r          accounts%ROWTYPE;
  v_from     accounts%ROWTYPE;
  v_to       accounts%ROWTYPE;
  v_transfer transfers%ROWTYPE;
  v_from_e   entries%ROWTYPE;
  v_to_e     entries%ROWTYPE;
BEGIN
  IF p_amount IS NULL OR p_amount <= 0 THEN
    RAISE EXCEPTION 'amount must be positive' USING ERRCODE = 'check_violation',
      CONSTRAINT = 'transfers_amount_positive';
  END IF;
  IF p_from_account_id = p_to_account_id THEN
    RAISE EXCEPTION 'cannot transfer to the same account' USING ERRCODE = 'SB004';
  END IF;

  -- Lock both rows in ascending id order (ORDER BY runs before the row locks are taken), so two
  -- transfers in opposite directions queue on the lower id instead of deadlocking.
  FOR r IN
    SELECT * FROM accounts a WHERE a.id IN (p_from_account_id, p_to_account_id)
    ORDER BY a.id FOR NO KEY UPDATE
  LOOP
    IF r.id = p_from_account_id THEN v_from := r; ELSE v_to := r; END IF;
  END LOOP;

  IF v_from.id IS NULL THEN
    RAISE EXCEPTION 'account % not found', p_from_account_id USING ERRCODE = 'SB001',
      DETAIL = p_from_account_id::text;
  END IF;
  IF p_acting_owner IS NOT NULL AND v_from.owner <> p_acting_owner THEN
    RAISE EXCEPTION 'account % does not belong to the caller', p_from_account_id USING ERRCODE = 'SB002';
  END IF;
  IF v_to.id IS NULL THEN
    RAISE EXCEPTION 'account % not found', p_to_account_id USING ERRCODE = 'SB001',
      DETAIL = p_to_account_id::text;
  END IF;
  IF v_from.currency <> p_currency OR v_to.currency <> p_currency THEN
    RAISE EXCEPTION 'currency mismatch: from % / to % / transfer %', v_from.currency, v_to.currency, p_currency
      USING ERRCODE = 'SB003';
  END IF;
  IF NOT v_from.is_funding AND v_from.balance < p_amount THEN
    RAISE EXCEPTION 'insufficient funds in account %', p_from_account_id USING ERRCODE = 'SB005';
  END IF;

  UPDATE accounts SET balance = accounts.balance - p_amount WHERE accounts.id = p_from_account_id
    RETURNING * INTO v_from;
  UPDATE accounts SET balance = accounts.balance + p_amount WHERE accounts.id = p_to_account_id
    RETURNING * INTO v_to;

  INSERT INTO transfers (from_account_id, to_account_id, amount, currency)
  VALUES (p_from_account_id, p_to_account_id, p_amount, p_currency)
  RETURNING * INTO v_transfer;

  INSERT INTO entries (account_id, amount, transfer_id)
  VALUES (p_from_account_id, -p_amount, v_transfer.id) RETURNING * INTO v_from_e;
  INSERT INTO entries (account_id, amount, transfer_id)
  VALUES (p_to_account_id, p_amount, v_transfer.id) RETURNING * INTO v_to_e;

  RETURN QUERY SELECT
    v_transfer.id, v_transfer.amount, v_transfer.created_at,
    v_from.id, v_from.owner, v_from.balance, v_from.currency, v_from.created_at,
    v_to.id, v_to.owner, v_to.balance, v_to.currency, v_to.created_at,
    v_from_e.id, v_from_e.amount, v_to_e.id, v_to_e.amount, v_from_e.created_at;
END;
$$;

-- Deposits (p_direction = 'deposit') and withdrawals ('withdrawal') are ordinary transfers
-- between the account and the funding account of its currency.
CREATE FUNCTION funding_tx(p_account_id bigint, p_amount bigint, p_direction text)
RETURNS TABLE (
  transfer_id          bigint,
  transfer_amount      bigint,
  transfer_created_at  timestamptz,
  from_account_id      bigint,
  from_owner           text,
  from_balance         bigint,
  from_currency        text,
  from_created_at      timestamptz,
  to_account_id        bigint,
  to_owner             text,
  to_balance           bigint,
  to_currency          text,
  to_created_at        timestamptz,
  from_entry_id        bigint,
  from_entry_amount    bigint,
  to_entry_id          bigint,
  to_entry_amount      bigint,
  entries_created_at   timestamptz
)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v_currency text;
  v_funding  bigint;
BEGIN
  SELECT a.currency INTO v_currency FROM accounts a WHERE a.id = p_account_id;
  IF v_currency IS NULL THEN
    RAISE EXCEPTION 'account % not found', p_account_id USING ERRCODE = 'SB001',
      DETAIL = p_account_id::text;
  END IF;
  SELECT a.id INTO STRICT v_funding FROM accounts a WHERE a.currency = v_currency AND a.is_funding;

  IF p_direction = 'deposit' THEN
    RETURN QUERY SELECT * FROM transfer_tx(v_funding, p_account_id, p_amount, v_currency, NULL);
  ELSIF p_direction = 'withdrawal' THEN
    RETURN QUERY SELECT * FROM transfer_tx(p_account_id, v_funding, p_amount, v_currency, NULL);
  ELSE
    RAISE EXCEPTION 'unknown direction %', p_direction USING ERRCODE = 'invalid_parameter_value';
  END IF;
END;
$$;

-- migrate:down
DROP FUNCTION funding_tx(bigint, bigint, text);
DROP FUNCTION transfer_tx(bigint, bigint, bigint, text, text);
