-- migrate:up

-- Written by `npm run codegen` from sql/functions/transfer_tx_batch.pgsql: edit that file, never this one.
-- up: the function as the source has it; down: the function as it was before.
-- Release v1.1's form of the ledger call (ten parallel arrays), kept so that pods of that release keep
-- moving money during a rolling update: it hands its items to ledger_batch (v1.2's form,
-- sql/functions/ledger_batch.pgsql, answering in that release's shape), so every rule of this release
-- applies to them too. Drop it with ledger_batch, once no v1.1 pod can be left.
CREATE OR REPLACE FUNCTION transfer_tx_batch(
  p_kind text[], p_from bigint[], p_to bigint[], p_amount bigint[], p_currency text[], p_owner text[],
  p_key_user text[], p_key text[], p_fingerprint bytea[], p_key_ttl_ms bigint
) RETURNS TABLE (ord int, status int, code text, detail text, replayed boolean, result json, to_account json)
LANGUAGE sql
AS $$
  SELECT (row_number() OVER ())::int, b.status, b.code, b.detail, b.replayed, b.result, NULL::json
  FROM ledger_batch(
    (SELECT jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
              'kind', x.kind,
              'from_account_id', CASE WHEN x.kind = 'transfer' THEN x.f END,
              'to_account_id', CASE WHEN x.kind = 'transfer' THEN x.t END,
              'account_id', CASE WHEN x.kind <> 'transfer' THEN x.f END,
              'amount', x.amount,
              'currency', nullif(x.cur, ''),
              'acting_owner', nullif(x.owner, ''),
              'key_user', nullif(x.ku, ''),
              'key', CASE WHEN coalesce(x.ku, '') <> '' THEN x.key END,
              'fingerprint', CASE WHEN coalesce(x.ku, '') <> '' THEN '\x' || encode(x.fp, 'hex') END)) ORDER BY x.pos)
     FROM unnest(p_kind, p_from, p_to, p_amount, p_currency, p_owner, p_key_user, p_key, p_fingerprint)
          WITH ORDINALITY AS x(kind, f, t, amount, cur, owner, ku, key, fp, pos)),
    p_key_ttl_ms) b
$$;

-- migrate:down

CREATE OR REPLACE FUNCTION public.transfer_tx_batch(p_kind text[], p_from bigint[], p_to bigint[], p_amount bigint[], p_currency text[], p_owner text[], p_key_user text[], p_key text[], p_fingerprint bytea[], p_key_ttl_ms bigint)
 RETURNS TABLE(ord integer, status integer, code text, detail text, replayed boolean, result json, to_account json)
 LANGUAGE plpgsql
 SET plan_cache_mode TO 'force_generic_plan'
 SET enable_seqscan TO 'off'
 SET lock_timeout TO '4s'
AS $function$
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

  -- The keyed items' locks first, then their stored answers in ONE statement of its own: it sees
  -- the answer of every holder that committed before its lock was ours. A lock another transaction
  -- holds is that item's 409; an expired stored answer is deleted (its key starts afresh).
  FOR i IN 1 .. n LOOP
    IF coalesce(p_key_user[i], '') <> '' THEN
      k_locked[i] := pg_try_advisory_xact_lock(hashtextextended(p_key_user[i] || E'\n' || p_key[i], 0));
      any_keyed := true;
    END IF;
  END LOOP;
  IF any_keyed THEN
    -- Driven by the items, one primary-key probe each: OFFSET 0 keeps the lookup a subquery per
    -- item, so the generic plan (made once, perhaps while the table was empty) cannot turn it into a
    -- join that reads the whole index on every call (tests/ledger/plans.test.ts).
    FOR k IN
      SELECT u.pos::int AS pos, x.fingerprint, x.status, x.response, x.created_at
      FROM unnest(p_key_user, p_key) WITH ORDINALITY AS u(ku, key, pos)
      CROSS JOIN LATERAL (
        SELECT ik.fingerprint, ik.status, ik.response, ik.created_at
        FROM idempotency_keys ik WHERE ik.username = u.ku AND ik.key = u.key
        OFFSET 0) x
      WHERE u.ku <> ''
    LOOP
      CONTINUE WHEN NOT k_locked[k.pos];
      IF k.created_at > v_now - make_interval(secs => p_key_ttl_ms / 1000.0) THEN
        k_fp[k.pos] := k.fingerprint; k_status[k.pos] := k.status; k_resp[k.pos] := k.response;
      ELSE
        expired := true;
      END IF;
    END LOOP;
    IF expired THEN
      FOR i IN 1 .. n LOOP
        IF k_locked[i] THEN
          DELETE FROM idempotency_keys ik
          WHERE ik.username = p_key_user[i] AND ik.key = p_key[i]
            AND ik.created_at <= v_now - make_interval(secs => p_key_ttl_ms / 1000.0);
        END IF;
      END LOOP;
    END IF;
  END IF;

  FOR i IN 1 .. n LOOP
    ord := i; status := NULL; code := NULL; detail := NULL; replayed := false; result := NULL; to_account := NULL;
    keyed := coalesce(p_key_user[i], '') <> '';

    <<item>>
    BEGIN
      IF keyed THEN
        IF NOT k_locked[i] THEN
          status := 409; code := 'idempotency_key_in_use';
          detail := 'a request with this Idempotency-Key is still being processed; retry shortly';
          EXIT item;
        END IF;
        -- The key's answer: stored by an earlier item of this batch, or before it (live).
        j := array_position(s_uk, p_key_user[i] || E'\n' || p_key[i]);
        IF j IS NOT NULL OR k_status[i] IS NOT NULL THEN
          IF (CASE WHEN j IS NOT NULL THEN s_fp[j] ELSE k_fp[i] END) = p_fingerprint[i] THEN
            status := CASE WHEN j IS NOT NULL THEN s_status[j] ELSE k_status[i] END;
            result := (CASE WHEN j IS NOT NULL THEN s_resp[j] ELSE k_resp[i] END)::json;
            replayed := true;
          ELSE
            status := 422; code := 'idempotency_key_reused';
            detail := 'this Idempotency-Key was used with a different request';
          END IF;
          EXIT item;
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
      s_uk := s_uk || (p_key_user[i] || E'\n' || p_key[i]); s_user := s_user || p_key_user[i]; s_key := s_key || p_key[i];
      s_fp := s_fp || p_fingerprint[i]; s_status := s_status || status;
      s_resp := s_resp || CASE WHEN status = 201 THEN result::jsonb ELSE jsonb_build_object('code', code, 'detail', detail) END;
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

    -- Only the accounts whose balance moved, found by their ids (= ANY: an index probe per id, in
    -- any generic plan; a join with unnest could be planned as a scan of the whole accounts index).
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
