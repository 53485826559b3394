-- migrate:up

-- Written by `npm run codegen` from sql/functions/ledger_batch.pgsql: edit that file, never this one.
-- up: the function as the source has it; down: the function as it was before.
-- The previous release's (v1.2) name and answer for the ledger call, kept for one release so that its
-- pods keep moving money during a rolling update: their items go to ledger_apply
-- (sql/functions/ledger_apply.pgsql), so every rule of this release applies to them, and the answers
-- come back without the fields API v1.3 added (v1.2's decoder refuses any field it does not know).
-- v1.2 sends transfers, deposits and withdrawals only: their answers always carry both entries. Drop it
-- in the next release.
CREATE OR REPLACE FUNCTION ledger_batch(p_items jsonb, p_key_ttl_ms bigint)
RETURNS TABLE (status int, code text, field text, detail text, replayed boolean, result json)
LANGUAGE sql
AS $$
  SELECT a.status, a.code, a.field, a.detail, a.replayed,
         CASE WHEN a.result IS NOT NULL THEN json_build_object(
           'transfer', (a.result::jsonb -> 'transfer')
                         - ARRAY['status', 'posted_amount', 'expires_at', 'reference', 'metadata', 'reverses_transfer_id'],
           'from_account', (a.result::jsonb -> 'from_account')
                         - ARRAY['status', 'pending_debits', 'pending_credits', 'available_balance'],
           'from_entry', CASE WHEN jsonb_typeof(a.result::jsonb -> 'from_entry') = 'object'
                              THEN (a.result::jsonb -> 'from_entry') - 'balance_after' END,
           'to_entry', CASE WHEN jsonb_typeof(a.result::jsonb -> 'to_entry') = 'object'
                            THEN (a.result::jsonb -> 'to_entry') - 'balance_after' END) END
  FROM ledger_apply(p_items, p_key_ttl_ms) AS a
$$;

-- migrate:down

CREATE OR REPLACE FUNCTION public.ledger_batch(p_items jsonb, p_key_ttl_ms bigint)
 RETURNS TABLE(status integer, code text, field text, detail text, replayed boolean, result json)
 LANGUAGE plpgsql
 SET plan_cache_mode TO 'force_generic_plan'
 SET enable_seqscan TO 'off'
 SET lock_timeout TO '4s'
AS $function$
#variable_conflict use_variable
DECLARE
  max_balance constant bigint := 9007199254740991;
  items   ledger_item[] := ARRAY(SELECT x FROM jsonb_populate_recordset(NULL::ledger_item, p_items) AS x);
  n       int := coalesce(array_length(items, 1), 0);
  it      ledger_item;
  v_now   timestamptz := now();
  v_now_s text := api_timestamp(now());
  v_seq_t regclass := pg_get_serial_sequence('transfers', 'id')::regclass;
  v_seq_e regclass := pg_get_serial_sequence('entries', 'id')::regclass;
  v_ttl   interval := make_interval(secs => p_key_ttl_ms / 1000.0);
  -- The locked accounts, by position: ids ascending.
  a_id bigint[] := '{}'; a_owner text[] := '{}'; a_cur text[] := '{}'; a_fund boolean[] := '{}';
  a_created text[] := '{}'; a_bal bigint[] := '{}'; a_orig bigint[] := '{}';
  -- What the batch writes, set-wise at the end.
  w_tid bigint[] := '{}'; w_from bigint[] := '{}'; w_to bigint[] := '{}'; w_amt bigint[] := '{}';
  w_cur text[] := '{}'; w_efrom bigint[] := '{}'; w_eto bigint[] := '{}';
  ids bigint[]; r record; i int; f int; t int; amt bigint; cur text; acct int;
  tid bigint; efrom bigint; eto bigint; k record; keyed boolean; j int;
  -- Idempotency-Keys, by item: the key's lock taken, and its live stored answer (if any).
  k_locked boolean[] := '{}'; k_fp bytea[] := '{}'; k_status int[] := '{}'; k_resp jsonb[] := '{}';
  any_keyed boolean := false; expired boolean := false;
  -- The answers this batch stores, set-wise at the end ("user\nkey" finds an earlier item's).
  s_uk text[] := '{}'; s_user text[] := '{}'; s_key text[] := '{}'; s_fp bytea[] := '{}';
  s_status int[] := '{}'; s_resp jsonb[] := '{}';
  -- The balances that moved: account ids and deltas.
  c_id bigint[] := '{}'; c_delta bigint[] := '{}';
BEGIN
  IF n = 0 THEN RETURN; END IF;

  -- 1. The accounts: every item's, and the funding account of each deposit's or withdrawal's currency.
  ids := ARRAY(SELECT unnest(ARRAY[x.from_account_id, x.to_account_id, x.account_id]) FROM unnest(items) AS x);
  IF EXISTS (SELECT FROM unnest(items) AS x WHERE x.kind IN ('deposit', 'withdrawal')) THEN
    ids := ids || ARRAY(
      SELECT fa.id FROM accounts fa
      WHERE fa.is_funding AND fa.currency IN (
        SELECT ca.currency FROM accounts ca
        WHERE ca.id = ANY (ARRAY(SELECT x.account_id FROM unnest(items) AS x WHERE x.kind IN ('deposit', 'withdrawal')))));
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

  -- 2. The keyed items' locks first, then their stored answers in ONE statement of its own: it sees the
  -- answer of every holder that committed before its lock was ours.
  FOR i IN 1 .. n LOOP
    IF items[i].key_user IS NOT NULL THEN
      k_locked[i] := pg_try_advisory_xact_lock(hashtextextended(items[i].key_user || E'\n' || items[i].key, 0));
      any_keyed := true;
    END IF;
  END LOOP;
  IF any_keyed THEN
    -- Driven by the items, one primary-key probe each: OFFSET 0 keeps the lookup a subquery per item,
    -- so the generic plan (made once, perhaps while the table was empty) cannot turn it into a join that
    -- reads the whole index on every call.
    FOR k IN
      SELECT g.pos, s.fingerprint, s.status, s.response, s.created_at
      FROM generate_subscripts(items, 1) AS g(pos)
      CROSS JOIN LATERAL (
        SELECT ik.fingerprint, ik.status, ik.response, ik.created_at
        FROM idempotency_keys ik WHERE ik.username = items[g.pos].key_user AND ik.key = items[g.pos].key
        OFFSET 0) s
      WHERE items[g.pos].key_user IS NOT NULL
    LOOP
      CONTINUE WHEN NOT k_locked[k.pos];
      IF k.created_at > v_now - v_ttl THEN
        k_fp[k.pos] := k.fingerprint; k_status[k.pos] := k.status; k_resp[k.pos] := k.response;
      ELSE
        expired := true;
      END IF;
    END LOOP;
    IF expired THEN
      FOR i IN 1 .. n LOOP
        IF k_locked[i] THEN
          DELETE FROM idempotency_keys ik
          WHERE ik.username = items[i].key_user AND ik.key = items[i].key AND ik.created_at <= v_now - v_ttl;
        END IF;
      END LOOP;
    END IF;
  END IF;

  FOR i IN 1 .. n LOOP
    it := items[i];
    status := NULL; code := NULL; field := NULL; detail := NULL; replayed := false; result := NULL;
    keyed := it.key_user IS NOT NULL;

    <<item>>
    BEGIN
      -- 2, per item: the key's lock, and an answer stored by an earlier item of this call or before it.
      IF keyed THEN
        IF NOT k_locked[i] THEN
          status := 409; code := 'idempotency_key_in_use';
          detail := 'a request with this Idempotency-Key is still being processed; retry shortly';
          EXIT item;
        END IF;
        j := array_position(s_uk, it.key_user || E'\n' || it.key);
        IF j IS NOT NULL OR k_status[i] IS NOT NULL THEN
          IF (CASE WHEN j IS NOT NULL THEN s_fp[j] ELSE k_fp[i] END) IS DISTINCT FROM it.fingerprint THEN
            status := 422; code := 'idempotency_key_reused';
            detail := 'this Idempotency-Key was used with a different request';
            EXIT item;
          END IF;
          replayed := true;
          status := CASE WHEN j IS NOT NULL THEN s_status[j] ELSE k_status[i] END;
          IF status = 201 THEN
            result := (CASE WHEN j IS NOT NULL THEN s_resp[j] ELSE k_resp[i] END)::json;
          ELSE -- a stored refusal: its code and detail
            code := (CASE WHEN j IS NOT NULL THEN s_resp[j] ELSE k_resp[i] END) ->> 'code';
            detail := (CASE WHEN j IS NOT NULL THEN s_resp[j] ELSE k_resp[i] END) ->> 'detail';
          END IF;
          EXIT item;
        END IF;
      END IF;

      amt := it.amount;
      IF amt IS NULL OR amt <= 0 OR amt > max_balance THEN
        status := 400; code := 'validation_failed'; field := 'amount';
        detail := 'must be an integer from 1 to 9007199254740991'; EXIT item;
      END IF;

      -- 3. The legs, by kind: f (sends) and t (receives), positions among the locked accounts.
      CASE it.kind
      WHEN 'transfer' THEN
        IF it.from_account_id = it.to_account_id THEN
          status := 422; code := 'same_account'; detail := 'from and to are the same account'; EXIT item;
        END IF;
        f := array_position(a_id, it.from_account_id);
        t := array_position(a_id, it.to_account_id);
        cur := it.currency;
        IF f IS NULL THEN
          status := 404; code := 'not_found'; field := 'from_account_id';
          detail := format('account %s not found', it.from_account_id); EXIT item;
        END IF;
        IF it.acting_owner IS NOT NULL AND a_owner[f] <> it.acting_owner THEN
          status := 403; code := 'forbidden'; field := 'from_account_id';
          detail := 'the from-account does not belong to you'; EXIT item;
        END IF;
        IF t IS NULL THEN
          status := 404; code := 'not_found'; field := 'to_account_id';
          detail := format('account %s not found', it.to_account_id); EXIT item;
        END IF;
      WHEN 'deposit', 'withdrawal' THEN
        acct := array_position(a_id, it.account_id);
        IF acct IS NULL THEN
          status := 404; code := 'not_found'; field := 'account_id';
          detail := format('account %s not found', it.account_id); EXIT item;
        END IF;
        cur := a_cur[acct];
        f := array_position(a_fund, true);  -- the funding account of `cur`: the one locked with that currency
        WHILE f IS NOT NULL AND a_cur[f] <> cur LOOP
          f := array_position(a_fund, true, f + 1);
        END LOOP;
        IF f IS NULL THEN
          RAISE EXCEPTION 'no funding account for currency %', cur USING ERRCODE = 'data_exception';
        END IF;
        IF f = acct THEN
          status := 422; code := 'same_account'; detail := 'from and to are the same account'; EXIT item;
        END IF;
        IF it.kind = 'deposit' THEN t := acct; ELSE t := f; f := acct; END IF;
      ELSE
        status := 400; code := 'validation_failed'; field := 'kind';
        detail := format('unknown kind of movement %s', it.kind); EXIT item;
      END CASE;

      -- 4. The rules every movement obeys.
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

      -- The movement: balances here, rows at the end; the answer is the API's JSON.
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
    END item;

    -- 5. Only committed outcomes are stored under a key: a movement, or a 422 rule refusal.
    IF keyed AND NOT replayed AND (status = 201 OR (status = 422 AND code <> 'idempotency_key_reused')) THEN
      s_uk := s_uk || (it.key_user || E'\n' || it.key); s_user := s_user || it.key_user; s_key := s_key || it.key;
      s_fp := s_fp || it.fingerprint; s_status := s_status || status;
      s_resp := s_resp || CASE WHEN status = 201 THEN result::jsonb ELSE jsonb_build_object('code', code, 'detail', detail) END;
    END IF;
    RETURN NEXT;
  END LOOP;

  -- 6. The writes.
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

    -- Only the accounts whose balance moved, found by their ids (= ANY: an index probe per id in any
    -- generic plan; a join with unnest could be planned as a scan of the whole accounts index).
    FOR j IN 1 .. array_length(a_id, 1) LOOP
      IF a_bal[j] <> a_orig[j] THEN
        c_id := c_id || a_id[j]; c_delta := c_delta || (a_bal[j] - a_orig[j]);
      END IF;
    END LOOP;
    UPDATE accounts a SET balance = a.balance + c_delta[array_position(c_id, a.id::bigint)]
    WHERE a.id = ANY (c_id);
  END IF;

  IF array_length(s_user, 1) > 0 THEN
    INSERT INTO idempotency_keys (username, key, fingerprint, status, response)
    SELECT * FROM unnest(s_user, s_key, s_fp, s_status, s_resp);
  END IF;
END;
$function$;
