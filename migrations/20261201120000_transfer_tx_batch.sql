-- migrate:up

-- Group commit: TransferTx for many money movements in one call and one transaction. It is the
-- one place where money moves; a single movement is a batch of one.
--
-- 1. Every account of the batch (and the funding account of each currency a deposit or a
--    withdrawal needs) is locked first, in ascending id order, by one statement: batches never
--    deadlock with each other.
-- 2. The items are applied in order against the locked balances, with the rules checked without
--    raising, so one refused item never fails its neighbours. Each item gets the answer it would
--    get alone: the same code, and `from_account.balance` right after that item.
-- 3. Each account's balance is written once (the net of its items); transfers and entries are
--    inserted set-wise.
-- Items with an Idempotency-Key take the key's lock, read its stored answer in a statement of its
-- own (so it sees a holder that committed meanwhile), and store theirs with a plain INSERT.
--
-- Answers (one row per item, `ord` from 1): status 201 with `result` (the sender's view of the
-- movement) and `to_account` (for internal callers only); or a refusal: status, contract `code`
-- and `detail`. A replay is the stored status with `replayed` true; a stored refusal's `result`
-- holds {code, detail}.

-- Balances stay inside what a JSON number carries exactly (±(2^53 − 1)), funding accounts included.
ALTER TABLE accounts ADD CONSTRAINT accounts_balance_within_limit
  CHECK (balance BETWEEN -9007199254740991 AND 9007199254740991);

-- The API's timestamp: RFC 3339 in UTC with milliseconds (what JavaScript's toISOString writes).
CREATE FUNCTION api_timestamp(ts timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"');

CREATE FUNCTION transfer_tx_batch(
  p_kind        text[],    -- 'transfer' | 'deposit' | 'withdrawal'
  p_from        bigint[],  -- transfer: the from-account; deposit/withdrawal: the customer's account
  p_to          bigint[],  -- transfer: the to-account; 0 (or NULL) otherwise
  p_amount      bigint[],
  p_currency    text[],    -- transfer: its currency; '' otherwise (the account's)
  p_owner       text[],    -- the from-account must belong to this user; '' (or NULL): no ownership check
  p_key_user    text[],    -- Idempotency-Key: its caller ('' or NULL: no key), key and request fingerprint
  p_key         text[],
  p_fingerprint bytea[],
  p_key_ttl_ms  bigint
) RETURNS TABLE (ord int, status int, code text, detail text, replayed boolean, result json, to_account json)
LANGUAGE plpgsql
-- Its statements take arrays of any length: one generic plan each, made once per connection, rather
-- than a plan made afresh at every call for the length at hand (that planning cost more than the
-- work of a small batch). Every row it reads it finds by a key, so its plans use the indexes
-- whatever the tables' sizes when a plan is made: a plan made while a table was nearly empty
-- (a new database, a fresh idempotency table) would otherwise scan it whole for as long as the
-- connection lives.
SET plan_cache_mode = force_generic_plan
SET enable_seqscan = off
AS $$
#variable_conflict use_variable
DECLARE
  max_balance constant bigint := 9007199254740991;
  n       int := coalesce(array_length(p_kind, 1), 0);
  v_now   timestamptz := now();
  v_now_s text := api_timestamp(now());
  v_seq_t regclass := pg_get_serial_sequence('transfers', 'id')::regclass;
  v_seq_e regclass := pg_get_serial_sequence('entries', 'id')::regclass;
  -- The locked accounts, by position: ids ascending.
  a_id bigint[] := '{}'; a_owner text[] := '{}'; a_cur text[] := '{}'; a_fund boolean[] := '{}';
  a_created text[] := '{}'; a_bal bigint[] := '{}'; a_orig bigint[] := '{}';
  -- What the batch writes, set-wise at the end.
  w_tid bigint[] := '{}'; w_from bigint[] := '{}'; w_to bigint[] := '{}'; w_amt bigint[] := '{}';
  w_cur text[] := '{}'; w_efrom bigint[] := '{}'; w_eto bigint[] := '{}';
  ids bigint[]; r record; i int; f int; t int; amt bigint; cur text; acct bigint;
  tid bigint; efrom bigint; eto bigint; k record; keyed boolean;
BEGIN
  IF n = 0 THEN RETURN; END IF;

  ids := array_remove(p_from || p_to, NULL);
  IF 'deposit' = ANY (p_kind) OR 'withdrawal' = ANY (p_kind) THEN
    ids := ids || ARRAY(
      SELECT fa.id FROM accounts fa
      WHERE fa.is_funding AND fa.currency IN (
        SELECT ca.currency FROM accounts ca JOIN unnest(p_kind, p_from) AS it(kind, id) ON ca.id = it.id
        WHERE it.kind <> 'transfer'));
  END IF;

  FOR r IN
    SELECT a.id, a.owner, a.balance, a.currency, a.is_funding, a.created_at
    FROM accounts a WHERE a.id = ANY (ids)
    ORDER BY a.id FOR NO KEY UPDATE
  LOOP
    a_id := a_id || r.id; a_owner := a_owner || r.owner; a_bal := a_bal || r.balance;
    a_cur := a_cur || r.currency; a_fund := a_fund || r.is_funding; a_created := a_created || api_timestamp(r.created_at);
  END LOOP;
  a_orig := a_bal;

  FOR i IN 1 .. n LOOP
    ord := i; status := NULL; code := NULL; detail := NULL; replayed := false; result := NULL; to_account := NULL;
    keyed := coalesce(p_key_user[i], '') <> '';

    <<item>>
    BEGIN
      IF keyed THEN
        IF NOT pg_try_advisory_xact_lock(hashtextextended(p_key_user[i] || E'\n' || p_key[i], 0)) THEN
          status := 409; code := 'idempotency_key_in_use';
          detail := 'a request with this Idempotency-Key is still being processed; retry shortly';
          EXIT item;
        END IF;
        -- A statement of its own, after the lock: it sees the answer of a holder that committed.
        SELECT ik.fingerprint, ik.status, ik.response, ik.created_at INTO k
        FROM idempotency_keys ik WHERE ik.username = p_key_user[i] AND ik.key = p_key[i];
        IF FOUND THEN
          IF k.created_at > v_now - make_interval(secs => p_key_ttl_ms / 1000.0) THEN
            IF k.fingerprint = p_fingerprint[i] THEN
              status := k.status; result := k.response::json; replayed := true;
            ELSE
              status := 422; code := 'idempotency_key_reused';
              detail := 'this Idempotency-Key was used with a different request';
            END IF;
            EXIT item;
          END IF;
          DELETE FROM idempotency_keys ik WHERE ik.username = p_key_user[i] AND ik.key = p_key[i];
        END IF;
      END IF;

      amt := p_amount[i];
      IF p_kind[i] = 'transfer' THEN
        IF amt IS NULL OR amt <= 0 THEN
          status := 400; code := 'validation_failed'; detail := 'amount must be a positive integer'; EXIT item;
        END IF;
        IF p_from[i] = p_to[i] THEN
          status := 422; code := 'same_account'; detail := 'from and to are the same account'; EXIT item;
        END IF;
        f := array_position(a_id, p_from[i]);
        t := array_position(a_id, p_to[i]);
        cur := p_currency[i];
        IF f IS NULL THEN
          status := 404; code := 'not_found'; detail := format('account %s not found', p_from[i]); EXIT item;
        END IF;
        IF coalesce(p_owner[i], '') <> '' AND a_owner[f] <> p_owner[i] THEN
          status := 403; code := 'forbidden'; detail := 'the from-account does not belong to you'; EXIT item;
        END IF;
        IF t IS NULL THEN
          status := 404; code := 'not_found'; detail := format('account %s not found', p_to[i]); EXIT item;
        END IF;
      ELSIF p_kind[i] IN ('deposit', 'withdrawal') THEN
        acct := array_position(a_id, p_from[i]);
        IF acct IS NULL THEN
          status := 404; code := 'not_found'; detail := format('account %s not found', p_from[i]); EXIT item;
        END IF;
        IF amt IS NULL OR amt <= 0 THEN
          status := 400; code := 'validation_failed'; detail := 'amount must be a positive integer'; EXIT item;
        END IF;
        cur := a_cur[acct];
        SELECT x.pos INTO f FROM unnest(a_id, a_cur, a_fund) WITH ORDINALITY AS x(id, cur, fund, pos)
        WHERE x.fund AND x.cur = cur;
        IF f IS NULL THEN
          RAISE EXCEPTION 'no funding account for currency %', cur USING ERRCODE = 'data_exception';
        END IF;
        IF f = acct THEN
          status := 422; code := 'same_account'; detail := 'from and to are the same account'; EXIT item;
        END IF;
        IF p_kind[i] = 'deposit' THEN t := acct; ELSE t := f; f := acct; END IF;
      ELSE
        status := 400; code := 'validation_failed'; detail := format('unknown kind of movement %s', p_kind[i]); EXIT item;
      END IF;

      IF a_cur[f] <> cur OR a_cur[t] <> cur THEN
        status := 422; code := 'currency_mismatch'; detail := 'the currency differs from the accounts'' currency'; EXIT item;
      END IF;
      IF NOT a_fund[f] AND a_bal[f] < amt THEN
        status := 422; code := 'insufficient_funds'; detail := 'insufficient funds'; EXIT item;
      END IF;
      IF a_bal[f] - amt < -max_balance OR a_bal[t] + amt > max_balance THEN
        status := 422; code := 'balance_limit_exceeded';
        detail := 'the movement would take a balance past ±9007199254740991'; EXIT item;
      END IF;

      a_bal[f] := a_bal[f] - amt;
      a_bal[t] := a_bal[t] + amt;
      tid := nextval(v_seq_t); efrom := nextval(v_seq_e); eto := nextval(v_seq_e);
      w_tid := w_tid || tid; w_from := w_from || a_id[f]; w_to := w_to || a_id[t]; w_amt := w_amt || amt;
      w_cur := w_cur || cur; w_efrom := w_efrom || efrom; w_eto := w_eto || eto;
      status := 201;
      result := json_build_object(
        'transfer', json_build_object('id', tid, 'from_account_id', a_id[f], 'to_account_id', a_id[t],
                                      'amount', amt, 'created_at', v_now_s),
        'from_account', json_build_object('id', a_id[f], 'owner', a_owner[f], 'balance', a_bal[f],
                                          'currency', cur, 'created_at', a_created[f]),
        'from_entry', json_build_object('id', efrom, 'account_id', a_id[f], 'amount', -amt,
                                        'transfer_id', tid, 'created_at', v_now_s),
        'to_entry', json_build_object('id', eto, 'account_id', a_id[t], 'amount', amt,
                                      'transfer_id', tid, 'created_at', v_now_s));
      to_account := json_build_object('id', a_id[t], 'owner', a_owner[t], 'balance', a_bal[t],
                                      'currency', cur, 'created_at', a_created[t]);
    END item;

    -- Only committed outcomes are stored under a key: a movement, or a 422 rule refusal.
    IF keyed AND NOT replayed AND (status = 201 OR (status = 422 AND code <> 'idempotency_key_reused')) THEN
      INSERT INTO idempotency_keys (username, key, fingerprint, status, response)
      VALUES (p_key_user[i], p_key[i], p_fingerprint[i], status,
              CASE WHEN status = 201 THEN result::jsonb ELSE jsonb_build_object('code', code, 'detail', detail) END);
    END IF;
    RETURN NEXT;
  END LOOP;

  IF array_length(w_tid, 1) > 0 THEN
    INSERT INTO transfers (id, from_account_id, to_account_id, amount, currency, created_at)
    OVERRIDING SYSTEM VALUE
    SELECT x.id, x.f, x.t, x.amt, x.cur, v_now FROM unnest(w_tid, w_from, w_to, w_amt, w_cur) AS x(id, f, t, amt, cur);

    INSERT INTO entries (id, account_id, amount, transfer_id, created_at)
    OVERRIDING SYSTEM VALUE
    SELECT x.eid, x.acct, x.amt, x.tid, v_now FROM (
      SELECT unnest(w_efrom) AS eid, unnest(w_from) AS acct, -unnest(w_amt) AS amt, unnest(w_tid) AS tid
      UNION ALL
      SELECT unnest(w_eto), unnest(w_to), unnest(w_amt), unnest(w_tid)
    ) AS x ORDER BY x.eid;

    UPDATE accounts a SET balance = a.balance + (x.bal - x.orig)
    FROM unnest(a_id, a_bal, a_orig) AS x(id, bal, orig)
    WHERE a.id = x.id AND x.bal <> x.orig;
  END IF;
END;
$$;

-- The single movements of before are batches of one now.
DROP FUNCTION funding_tx(bigint, bigint, text);
DROP FUNCTION transfer_tx(bigint, bigint, bigint, text, text);

-- migrate:down
DROP FUNCTION transfer_tx_batch(text[], bigint[], bigint[], bigint[], text[], text[], text[], text[], bytea[], bigint);
DROP FUNCTION api_timestamp(timestamptz);
ALTER TABLE accounts DROP CONSTRAINT accounts_balance_within_limit;

-- The single-movement functions of 20261129130003, as they were.
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
