-- migrate:up

-- Written by `npm run codegen` from sql/functions/ledger_apply.pgsql: edit that file, never this one.
-- up: the function as the source has it; down: the function as it was before.
-- The ledger function: every money movement and account state change is an item of one call. This
-- file is its only source: edit it, run `npm run codegen`, and commit the migration that step writes
-- (migrations/*_fn_ledger_apply.sql, up: this body, down: the one before). The drift check fails while
-- the migrated function differs from this file. Called from sql/transfers.sql (LedgerApply) by
-- src/transfers/ledger.ts. (ledger_batch, sql/functions/ledger_batch.pgsql, is the previous release's
-- name for it, kept for rolling updates.)
--
-- In: a JSON array of items (the type ledger_item), applied in order. Out: one row per item, in the same
-- order: a status (200, 201) and the API's JSON (TransferResult, or {account}), or a refusal (status,
-- contract code, the field it concerns, detail).
--
-- Kinds: transfer (immediate, or a hold with `pending`), deposit, withdrawal, post and void (of a hold),
-- reverse (of a posted transfer), freeze, unfreeze, close (of an account).
--
-- The rules, once:
--   1. Every account of the call (and of the transfers its items act on) is locked FOR NO KEY UPDATE in
--      ascending id order, in one statement, before anything is checked; then the transfers acted on,
--      FOR UPDATE in ascending id order. Every writer locks in that order: no deadlock. The time of the
--      call (`v_now`) is read after the locks, so an account's entries are in time order.
--   2. An item with an Idempotency-Key first takes the key's lock (advisory, for the transaction; held
--      by another transaction: 409 idempotency_key_in_use) and reads the key's stored answer: a live
--      one is replayed (same fingerprint) or refused (422 idempotency_key_reused); an expired one is
--      deleted and the key starts afresh.
--   3. Each kind names its legs: transfer from → to (the acting owner must own `from`); deposit
--      funding → account; withdrawal account → funding (of the account's currency); post: the hold's;
--      reverse: the original's receiver → its sender.
--   4. Then, for every movement alike: both accounts open (422 account_frozen / account_closed), both in
--      the movement's currency, the sender's AVAILABLE balance (posted − live holds out) covers the
--      amount (funding accounts may go negative), no balance leaves ±(2^53 − 1).
--   5. A hold is live while pending and before its expires_at by this clock: an expired hold reserves
--      nothing even before the expiry job marks it, and can be neither posted nor voided. A hold ends
--      once: posted (its entries written then), voided or expired.
--   6. A refusal is an answer, not an exception: the items after it go on. Only committed outcomes are
--      stored under a key — a success (200, 201) or a rule refusal (422).
--   7. Writes are set-wise at the end: one INSERT of transfers, one UPDATE of the transfers acted on, one
--      INSERT of entries (each with its account's balance after it), one UPDATE of the accounts that
--      changed, one INSERT of stored answers, one INSERT of events.
--   8. Every change an item makes (not a replay, not a refusal, not a state an account already had)
--      appends its event to the outbox, in this transaction: transfer.posted / pending / voided with the
--      Transfer, account.frozen / unfrozen / closed with the Account, seen by the owners of both sides.
--      The sequencer numbers them once committed (sql/functions/sequence_events.pgsql).
CREATE OR REPLACE FUNCTION ledger_apply(p_items jsonb, p_key_ttl_ms bigint)
RETURNS TABLE (status int, code text, field text, detail text, replayed boolean, result json)
LANGUAGE plpgsql
-- Its statements take arrays of any length: one generic plan each, made once per connection, rather
-- than a plan made afresh at every call for the length at hand (that planning cost more than the work
-- of a small batch). Every row it reads it finds by a key, so its plans use the indexes whatever the
-- tables' sizes when a plan is made (tests/ledger/plans.test.ts). Its lock waits are bounded here, not
-- by the connection (a transaction-mode pooler keeps no session setting): a batch behind a lock held
-- too long gives up with 55P03, answered 503 (retry with the same Idempotency-Key).
SET plan_cache_mode = force_generic_plan
SET enable_seqscan = off
SET lock_timeout = '4s'
AS $$
#variable_conflict use_variable
DECLARE
  max_balance constant bigint := 9007199254740991;
  items   ledger_item[] := ARRAY(SELECT x FROM jsonb_populate_recordset(NULL::ledger_item, p_items) AS x);
  n       int := coalesce(array_length(items, 1), 0);
  it      ledger_item;
  v_now   timestamptz;
  v_now_s text;
  v_seq_t regclass := pg_get_serial_sequence('transfers', 'id')::regclass;
  v_seq_e regclass := pg_get_serial_sequence('entries', 'id')::regclass;
  v_ttl   interval := make_interval(secs => p_key_ttl_ms / 1000.0);
  -- The locked accounts, by position (ids ascending): what they were and what they become.
  a_id bigint[] := '{}'; a_owner text[] := '{}'; a_cur text[] := '{}'; a_fund boolean[] := '{}';
  a_created text[] := '{}'; a_bal bigint[] := '{}'; a_orig bigint[] := '{}';
  a_status text[] := '{}'; a_status_orig text[] := '{}';
  a_pd bigint[] := '{}'; a_pc bigint[] := '{}';  -- live holds out (pending debits) and in (pending credits)
  -- The locked transfers the items act on (post, void, reverse), by position: as they become.
  t_id bigint[] := '{}'; t_from bigint[] := '{}'; t_to bigint[] := '{}'; t_amt bigint[] := '{}'; t_cur text[] := '{}';
  t_status text[] := '{}'; t_expires timestamptz[] := '{}'; t_released bigint[] := '{}'; t_reversed bigint[] := '{}';
  t_posted bigint[] := '{}';
  t_ref text[] := '{}'; t_meta jsonb[] := '{}'; t_rev_of bigint[] := '{}'; t_created timestamptz[] := '{}';
  t_dirty boolean[] := '{}';
  -- New transfers and entries, written set-wise at the end.
  w_tid bigint[] := '{}'; w_from bigint[] := '{}'; w_to bigint[] := '{}'; w_amt bigint[] := '{}'; w_cur text[] := '{}';
  w_status text[] := '{}'; w_expires timestamptz[] := '{}'; w_ref text[] := '{}'; w_meta jsonb[] := '{}'; w_rev_of bigint[] := '{}';
  w_posted bigint[] := '{}';
  e_id bigint[] := '{}'; e_acct bigint[] := '{}'; e_amt bigint[] := '{}'; e_tid bigint[] := '{}'; e_bal bigint[] := '{}';
  ids bigint[]; targets bigint[]; r record; i int; f int; t int; x int; amt bigint; cur text; acct int; k record;
  keyed boolean; j int;
  -- What the item answers: a transfer (its fields, the sender's position, its entries) or an account.
  o_kind text; o_tid bigint; o_amt bigint; o_status text; o_posted bigint; o_expires timestamptz; o_ref text;
  o_meta jsonb; o_rev_of bigint; o_created timestamptz; o_efrom bigint; o_eto bigint; o_moved bigint;
  rel bigint;  -- a posting: the hold's own reservation, which the posting draws on
  -- Idempotency-Keys, by item: the key's lock taken, and its live stored answer (if any).
  k_locked boolean[] := '{}'; k_fp bytea[] := '{}'; k_status int[] := '{}'; k_resp jsonb[] := '{}';
  any_keyed boolean := false; expired boolean := false; stored jsonb;
  -- The answers this batch stores, set-wise at the end ("user\nkey" finds an earlier item's).
  s_uk text[] := '{}'; s_user text[] := '{}'; s_key text[] := '{}'; s_fp bytea[] := '{}';
  s_status int[] := '{}'; s_resp jsonb[] := '{}';
  -- The accounts that changed: ids, balance deltas, statuses.
  c_id bigint[] := '{}'; c_delta bigint[] := '{}'; c_status text[] := '{}';
  -- The events: type, data, and who sees them (the owners of both sides).
  o_event text; o_was text; v_type text[] := '{}'; v_tid bigint[] := '{}'; v_data json[] := '{}'; v_oa text[] := '{}'; v_ob text[] := '{}';
BEGIN
  IF n = 0 THEN RETURN; END IF;

  -- 1. The accounts: every item's, those of the transfers acted on, and the funding account of each
  -- deposit's or withdrawal's currency; then the transfers acted on.
  targets := ARRAY(SELECT DISTINCT x.transfer_id FROM unnest(items) AS x WHERE x.transfer_id IS NOT NULL);
  ids := ARRAY(SELECT unnest(ARRAY[x.from_account_id, x.to_account_id, x.account_id]) FROM unnest(items) AS x);
  IF array_length(targets, 1) > 0 THEN
    -- A transfer's accounts never change: read them before the locks, lock them with the rest.
    ids := ids || ARRAY(SELECT unnest(ARRAY[tr.from_account_id, tr.to_account_id]::bigint[]) FROM transfers tr WHERE tr.id = ANY (targets));
  END IF;
  IF EXISTS (SELECT FROM unnest(items) AS x WHERE x.kind IN ('deposit', 'withdrawal')) THEN
    ids := ids || ARRAY(
      SELECT fa.id FROM accounts fa
      WHERE fa.is_funding AND fa.currency IN (
        SELECT ca.currency FROM accounts ca
        WHERE ca.id = ANY (ARRAY(SELECT x.account_id FROM unnest(items) AS x WHERE x.kind IN ('deposit', 'withdrawal')))));
  END IF;
  FOR r IN
    SELECT a.id, a.owner, a.balance, a.currency, a.is_funding, a.created_at, a.status
    FROM accounts a WHERE a.id = ANY (ids)
    ORDER BY a.id FOR NO KEY UPDATE
  LOOP
    a_id := a_id || r.id; a_owner := a_owner || r.owner; a_bal := a_bal || r.balance::bigint;
    a_cur := a_cur || r.currency; a_fund := a_fund || r.is_funding; a_created := a_created || api_timestamp(r.created_at);
    a_status := a_status || r.status;
  END LOOP;
  a_orig := a_bal; a_status_orig := a_status;
  v_now := clock_timestamp();
  v_now_s := api_timestamp(v_now);
  -- Their live holds, out and in: under these locks no hold of theirs can begin or end but ours.
  SELECT array_agg(coalesce(po.s, 0) ORDER BY g.pos), array_agg(coalesce(pi.s, 0) ORDER BY g.pos) INTO a_pd, a_pc
  FROM generate_subscripts(a_id, 1) AS g(pos)
  LEFT JOIN LATERAL (SELECT sum(tr.amount)::bigint AS s FROM transfers tr
                     WHERE tr.from_account_id = a_id[g.pos] AND tr.status = 'pending' AND tr.expires_at > v_now) po ON true
  LEFT JOIN LATERAL (SELECT sum(tr.amount)::bigint AS s FROM transfers tr
                     WHERE tr.to_account_id = a_id[g.pos] AND tr.status = 'pending' AND tr.expires_at > v_now) pi ON true;
  IF array_length(targets, 1) > 0 THEN
    FOR r IN
      SELECT tr.* FROM transfers tr WHERE tr.id = ANY (targets) ORDER BY tr.id FOR UPDATE
    LOOP
      t_id := t_id || r.id::bigint; t_from := t_from || r.from_account_id::bigint; t_to := t_to || r.to_account_id::bigint;
      t_amt := t_amt || r.amount::bigint; t_cur := t_cur || r.currency; t_status := t_status || r.status;
      t_expires := t_expires || r.expires_at; t_released := t_released || r.released_amount;
      t_reversed := t_reversed || r.reversed_amount; t_ref := t_ref || r.reference::text; t_meta := t_meta || r.metadata::jsonb;
      t_posted := t_posted || r.posted_amount;
      t_rev_of := t_rev_of || r.reverses_transfer_id; t_created := t_created || r.created_at; t_dirty := t_dirty || false;
    END LOOP;
  END IF;

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
    o_kind := NULL; o_efrom := NULL; o_eto := NULL; f := NULL; t := NULL; x := NULL; rel := 0; o_event := NULL;

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
          stored := CASE WHEN j IS NOT NULL THEN s_resp[j] ELSE k_resp[i] END;
          IF status < 300 THEN
            result := ledger_stored_answer(stored)::json;
          ELSE -- a stored refusal: its code and detail
            code := stored ->> 'code'; detail := stored ->> 'detail'; field := stored ->> 'field';
          END IF;
          EXIT item;
        END IF;
      END IF;

      amt := it.amount;
      IF (amt IS NOT NULL OR it.kind IN ('transfer', 'deposit', 'withdrawal')) AND (amt IS NULL OR amt <= 0 OR amt > max_balance) THEN
        status := 400; code := 'validation_failed'; field := 'amount';
        detail := 'must be an integer from 1 to 9007199254740991'; EXIT item;
      END IF;
      IF it.kind IN ('post', 'void', 'reverse') THEN
        x := array_position(t_id, it.transfer_id);
        IF x IS NULL THEN
          status := 404; code := 'not_found'; field := 'transfer_id';
          detail := format('transfer %s not found', it.transfer_id); EXIT item;
        END IF;
        f := array_position(a_id, t_from[x]); t := array_position(a_id, t_to[x]);
      END IF;

      -- 3. By kind: the legs (f sends, t receives, positions among the locked accounts) and what is
      -- particular to it; a kind that moves no money answers here.
      CASE it.kind
      WHEN 'transfer' THEN
        f := array_position(a_id, it.from_account_id);
        t := array_position(a_id, it.to_account_id);
        cur := it.currency;
        -- Whose account it is comes before every rule: a refusal stored under a key (a 422) is only
        -- ever about the caller's own account, so no one stores answers about accounts not theirs.
        IF f IS NULL THEN
          status := 404; code := 'not_found'; field := 'from_account_id';
          detail := format('account %s not found', it.from_account_id); EXIT item;
        END IF;
        IF it.acting_owner IS NOT NULL AND a_owner[f] <> it.acting_owner THEN
          status := 403; code := 'forbidden'; field := 'from_account_id';
          detail := 'the from-account does not belong to you'; EXIT item;
        END IF;
        IF it.from_account_id = it.to_account_id THEN
          status := 422; code := 'same_account'; detail := 'from and to are the same account'; EXIT item;
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
      WHEN 'post' THEN
        cur := t_cur[x];
        IF it.acting_owner IS NOT NULL AND a_owner[f] <> it.acting_owner THEN
          status := 403; code := 'forbidden'; detail := 'only the sender''s owner or a banker may post a hold'; EXIT item;
        END IF;
        IF t_status[x] = 'expired' OR (t_status[x] = 'pending' AND t_expires[x] <= v_now) THEN
          status := 422; code := 'transfer_expired'; detail := 'the hold has expired'; EXIT item;
        END IF;
        IF t_status[x] <> 'pending' THEN
          status := 422; code := 'transfer_not_pending'; detail := format('the transfer is %s, not a live hold', t_status[x]); EXIT item;
        END IF;
        amt := coalesce(amt, t_amt[x]);
        IF amt > t_amt[x] THEN
          status := 422; code := 'amount_exceeds_pending'; field := 'amount';
          detail := format('the hold is for %s', t_amt[x]); EXIT item;
        END IF;
        rel := t_amt[x];
      WHEN 'void' THEN
        IF it.acting_owner IS NOT NULL AND a_owner[f] <> it.acting_owner AND a_owner[t] <> it.acting_owner THEN
          status := 403; code := 'forbidden'; detail := 'only either side''s owner or a banker may void a hold'; EXIT item;
        END IF;
        IF t_status[x] = 'expired' OR (t_status[x] = 'pending' AND t_expires[x] <= v_now) THEN
          status := 422; code := 'transfer_expired'; detail := 'the hold has expired'; EXIT item;
        END IF;
        IF t_status[x] <> 'pending' THEN
          status := 422; code := 'transfer_not_pending'; detail := format('the transfer is %s, not a live hold', t_status[x]); EXIT item;
        END IF;
        -- Released: nothing moves (a frozen account's holds may still be voided).
        a_pd[f] := a_pd[f] - t_amt[x]; a_pc[t] := a_pc[t] - t_amt[x];
        t_status[x] := 'voided'; t_released[x] := t_amt[x]; t_posted[x] := 0; t_dirty[x] := true;
        status := 200; o_kind := 'transfer'; o_tid := t_id[x]; o_amt := t_amt[x]; o_status := 'voided'; o_posted := 0;
        o_event := 'transfer.voided';
        o_expires := t_expires[x]; o_ref := t_ref[x]; o_meta := t_meta[x]; o_rev_of := t_rev_of[x]; o_created := t_created[x];
        EXIT item;
      WHEN 'reverse' THEN
        -- A refund: the receiver pays back what it received. Depositors refund transfers only; a banker
        -- reverses anything (the acting owner is then absent).
        IF it.acting_owner IS NOT NULL AND (a_owner[t] <> it.acting_owner OR a_fund[f] OR a_fund[t]) THEN
          status := 403; code := 'forbidden'; detail := 'only the receiver''s owner (or a banker) may reverse a transfer'; EXIT item;
        END IF;
        o_moved := CASE WHEN t_status[x] = 'posted' THEN t_amt[x] - t_released[x] ELSE 0 END - t_reversed[x];
        amt := coalesce(amt, o_moved);
        IF amt > o_moved OR amt <= 0 THEN
          status := 422; code := 'reversal_exceeds_amount';
          detail := format('%s of this transfer can still be reversed', greatest(o_moved, 0)); EXIT item;
        END IF;
        cur := t_cur[x];
        j := f; f := t; t := j;  -- the money goes back
      WHEN 'freeze', 'unfreeze', 'close' THEN
        acct := array_position(a_id, it.account_id);
        IF acct IS NULL THEN
          status := 404; code := 'not_found'; field := 'account_id';
          detail := format('account %s not found', it.account_id); EXIT item;
        END IF;
        IF a_fund[acct] THEN
          status := 403; code := 'forbidden'; detail := 'a funding account can be neither frozen nor closed'; EXIT item;
        END IF;
        IF it.acting_owner IS NOT NULL AND a_owner[acct] <> it.acting_owner THEN
          status := 403; code := 'forbidden'; field := 'account_id'; detail := 'the account does not belong to you'; EXIT item;
        END IF;
        IF a_status[acct] = 'closed' THEN
          IF it.kind = 'close' THEN  -- closing is final: closing again answers the closed account
            status := 200; o_kind := 'account'; x := acct; EXIT item;
          END IF;
          status := 422; code := 'account_closed'; detail := 'the account is closed'; EXIT item;
        END IF;
        IF it.kind = 'close' THEN
          IF a_status[acct] = 'frozen' AND it.acting_owner IS NOT NULL THEN
            status := 422; code := 'account_frozen'; detail := 'the account is frozen'; EXIT item;
          END IF;
          IF a_bal[acct] <> 0 OR a_pd[acct] > 0 OR a_pc[acct] > 0 THEN
            status := 422; code := 'account_not_empty'; detail := 'only an account with a balance of 0 and no live hold can be closed'; EXIT item;
          END IF;
        END IF;
        o_was := a_status[acct];
        a_status[acct] := CASE it.kind WHEN 'freeze' THEN 'frozen' WHEN 'unfreeze' THEN 'open' ELSE 'closed' END;
        IF a_status[acct] <> o_was THEN
          o_event := 'account.' || CASE it.kind WHEN 'freeze' THEN 'frozen' WHEN 'unfreeze' THEN 'unfrozen' ELSE 'closed' END;
        END IF;
        status := 200; o_kind := 'account'; x := acct; EXIT item;
      ELSE
        status := 400; code := 'validation_failed'; field := 'kind';
        detail := format('unknown kind of item %s', it.kind); EXIT item;
      END CASE;

      -- 4. The rules every movement obeys (a hold's too, on the available balance).
      IF a_status[f] = 'closed' OR a_status[t] = 'closed' THEN
        status := 422; code := 'account_closed'; detail := 'the movement touches a closed account'; EXIT item;
      END IF;
      IF a_status[f] = 'frozen' OR a_status[t] = 'frozen' THEN
        status := 422; code := 'account_frozen'; detail := 'the movement touches a frozen account'; EXIT item;
      END IF;
      IF a_cur[f] <> cur OR a_cur[t] <> cur THEN
        status := 422; code := 'currency_mismatch'; detail := 'the currency differs from the accounts'' currency'; EXIT item;
      END IF;
      IF NOT a_fund[f] AND a_bal[f] - (a_pd[f] - rel) < amt THEN
        status := 422; code := 'insufficient_funds'; detail := 'insufficient funds'; EXIT item;
      END IF;
      IF a_bal[f] - (a_pd[f] - rel) - amt < -max_balance OR a_bal[t] + (a_pc[t] - rel) + amt > max_balance THEN
        status := 422; code := 'balance_limit_exceeded';
        detail := 'the movement would take a balance past ±9007199254740991'; EXIT item;
      END IF;

      IF it.kind = 'transfer' AND it.pending THEN
        -- A hold: reserved, nothing moves.
        a_pd[f] := a_pd[f] + amt; a_pc[t] := a_pc[t] + amt;
        o_tid := nextval(v_seq_t); o_status := 'pending'; o_posted := 0;
        o_expires := v_now + make_interval(secs => coalesce(it.timeout_seconds, 86400));
        o_ref := it.reference; o_meta := coalesce(it.metadata, '{}'); o_rev_of := NULL; o_created := v_now;
        w_tid := w_tid || o_tid; w_from := w_from || a_id[f]; w_to := w_to || a_id[t]; w_amt := w_amt || amt; w_cur := w_cur || cur;
        w_status := w_status || o_status; w_expires := w_expires || o_expires; w_ref := w_ref || o_ref; w_meta := w_meta || o_meta;
        w_rev_of := w_rev_of || NULL::bigint; w_posted := w_posted || 0::bigint;
        status := 201; o_kind := 'transfer'; o_amt := amt; o_event := 'transfer.pending';
        EXIT item;
      END IF;

      -- The movement: balances here, rows at the end.
      a_bal[f] := a_bal[f] - amt; a_pd[f] := a_pd[f] - rel;
      a_bal[t] := a_bal[t] + amt; a_pc[t] := a_pc[t] - rel;
      o_efrom := nextval(v_seq_e); o_eto := nextval(v_seq_e);
      IF it.kind = 'post' THEN
        t_status[x] := 'posted'; t_released[x] := t_amt[x] - amt; t_posted[x] := amt; t_dirty[x] := true;
        o_tid := t_id[x]; o_amt := t_amt[x]; o_status := 'posted'; o_posted := amt; o_expires := t_expires[x];
        o_ref := t_ref[x]; o_meta := t_meta[x]; o_rev_of := t_rev_of[x]; o_created := t_created[x];
        status := 200;
      ELSE
        IF it.kind = 'reverse' THEN t_reversed[x] := t_reversed[x] + amt; t_dirty[x] := true; END IF;
        o_tid := nextval(v_seq_t); o_amt := amt; o_status := 'posted'; o_posted := amt; o_expires := NULL;
        o_ref := it.reference; o_meta := coalesce(it.metadata, '{}');
        o_rev_of := CASE WHEN it.kind = 'reverse' THEN t_id[x] END; o_created := v_now;
        w_tid := w_tid || o_tid; w_from := w_from || a_id[f]; w_to := w_to || a_id[t]; w_amt := w_amt || amt; w_cur := w_cur || cur;
        w_status := w_status || o_status; w_expires := w_expires || o_expires; w_ref := w_ref || o_ref; w_meta := w_meta || o_meta;
        w_rev_of := w_rev_of || o_rev_of; w_posted := w_posted || amt;
        status := 201;
      END IF;
      e_id := e_id || o_efrom || o_eto; e_acct := e_acct || a_id[f] || a_id[t]; e_amt := e_amt || -amt || amt;
      e_tid := e_tid || o_tid || o_tid; e_bal := e_bal || a_bal[f] || a_bal[t];
      o_kind := 'transfer'; o_event := 'transfer.posted';
    END item;

    -- The answer's JSON: the API's TransferResult (what the sender sees) or {account}.
    IF o_kind = 'transfer' THEN
      result := json_build_object(
        'transfer', json_build_object('id', o_tid, 'from_account_id', a_id[f], 'to_account_id', a_id[t],
                                      'amount', o_amt, 'created_at', api_timestamp(o_created), 'status', o_status,
                                      'posted_amount', o_posted,
                                      'expires_at', CASE WHEN o_expires IS NOT NULL THEN api_timestamp(o_expires) END,
                                      'reference', o_ref, 'metadata', o_meta, 'reverses_transfer_id', o_rev_of),
        'from_account', json_build_object('id', a_id[f], 'owner', a_owner[f], 'balance', a_bal[f],
                                          'currency', a_cur[f], 'created_at', a_created[f], 'status', a_status[f],
                                          'pending_debits', a_pd[f], 'pending_credits', a_pc[f],
                                          'available_balance', a_bal[f] - a_pd[f]),
        'from_entry', CASE WHEN o_efrom IS NOT NULL THEN
                        json_build_object('id', o_efrom, 'account_id', a_id[f], 'amount', -o_posted,
                                          'transfer_id', o_tid, 'created_at', v_now_s, 'balance_after', a_bal[f]) END,
        'to_entry', CASE WHEN o_eto IS NOT NULL THEN
                      json_build_object('id', o_eto, 'account_id', a_id[t], 'amount', o_posted,
                                        'transfer_id', o_tid, 'created_at', v_now_s, 'balance_after', a_bal[t]) END);
    ELSIF o_kind = 'account' THEN
      result := json_build_object('account', json_build_object('id', a_id[x], 'owner', a_owner[x], 'balance', a_bal[x],
                                  'currency', a_cur[x], 'created_at', a_created[x], 'status', a_status[x],
                                  'pending_debits', a_pd[x], 'pending_credits', a_pc[x],
                                  'available_balance', a_bal[x] - a_pd[x]));
    END IF;

    -- 8. Its event: a transfer's names the transfer (its data is built when read: why, at the table
    -- event_outbox in migrations/20261207120000_events.sql); an account's carries the account as it is.
    IF o_event IS NOT NULL THEN
      v_type := v_type || o_event;
      IF o_kind = 'transfer' THEN
        v_tid := v_tid || o_tid; v_data := v_data || NULL::json;
        v_oa := v_oa || a_owner[f]; v_ob := v_ob || CASE WHEN a_owner[t] <> a_owner[f] THEN a_owner[t] END;
      ELSE
        v_tid := v_tid || NULL::bigint; v_data := v_data || result; v_oa := v_oa || a_owner[x]; v_ob := v_ob || NULL::text;
      END IF;
    END IF;

    -- 6. Only committed outcomes are stored under a key: a success, or a 422 rule refusal.
    IF keyed AND NOT replayed AND (status < 300 OR (status = 422 AND code <> 'idempotency_key_reused')) THEN
      s_uk := s_uk || (it.key_user || E'\n' || it.key); s_user := s_user || it.key_user; s_key := s_key || it.key;
      s_fp := s_fp || it.fingerprint; s_status := s_status || status;
      s_resp := s_resp || CASE WHEN status < 300 THEN result::jsonb ELSE jsonb_strip_nulls(jsonb_build_object('code', code, 'detail', detail, 'field', field)) END;
    END IF;
    RETURN NEXT;
  END LOOP;

  -- 7. The writes.
  IF array_length(w_tid, 1) > 0 THEN
    INSERT INTO transfers (id, from_account_id, to_account_id, amount, currency, created_at, status, expires_at,
                           reference, metadata, reverses_transfer_id, posted_amount)
    OVERRIDING SYSTEM VALUE
    SELECT w.id, w.f, w.t, w.amt, w.cur, v_now, w.st, w.exp, w.ref, w.meta, w.rev, w.posted
    FROM unnest(w_tid, w_from, w_to, w_amt, w_cur, w_status, w_expires, w_ref, w_meta, w_rev_of, w_posted)
      AS w(id, f, t, amt, cur, st, exp, ref, meta, rev, posted);
  END IF;
  IF true = ANY (t_dirty) THEN
    -- By id (= ANY: an index probe per id in any generic plan, as for the accounts below).
    ids := ARRAY(SELECT t_id[g.pos] FROM generate_subscripts(t_id, 1) AS g(pos) WHERE t_dirty[g.pos]);
    UPDATE transfers tr SET status = t_status[array_position(t_id, tr.id::bigint)],
                            released_amount = t_released[array_position(t_id, tr.id::bigint)],
                            reversed_amount = t_reversed[array_position(t_id, tr.id::bigint)],
                            posted_amount = t_posted[array_position(t_id, tr.id::bigint)]
    WHERE tr.id = ANY (ids);
  END IF;
  IF array_length(e_id, 1) > 0 THEN
    INSERT INTO entries (id, account_id, amount, transfer_id, created_at, balance_after)
    OVERRIDING SYSTEM VALUE
    SELECT e.id, e.acct, e.amt, e.tid, v_now, e.bal FROM unnest(e_id, e_acct, e_amt, e_tid, e_bal) AS e(id, acct, amt, tid, bal)
    ORDER BY e.id;
  END IF;
  -- Only the accounts whose balance or status changed, found by their ids (= ANY: an index probe per id
  -- in any generic plan; a join with unnest could be planned as a scan of the whole accounts index).
  FOR j IN 1 .. coalesce(array_length(a_id, 1), 0) LOOP
    IF a_bal[j] <> a_orig[j] OR a_status[j] <> a_status_orig[j] THEN
      c_id := c_id || a_id[j]; c_delta := c_delta || (a_bal[j] - a_orig[j]); c_status := c_status || a_status[j];
    END IF;
  END LOOP;
  IF array_length(c_id, 1) > 0 THEN
    UPDATE accounts a SET balance = a.balance + c_delta[array_position(c_id, a.id::bigint)],
                          status = c_status[array_position(c_id, a.id::bigint)]
    WHERE a.id = ANY (c_id);
  END IF;

  IF array_length(s_user, 1) > 0 THEN
    INSERT INTO idempotency_keys (username, key, fingerprint, status, response)
    SELECT * FROM unnest(s_user, s_key, s_fp, s_status, s_resp);
  END IF;
  IF array_length(v_type, 1) > 0 THEN
    INSERT INTO event_outbox (created_at, types, transfer_ids, datas, owners_a, owners_b)
    VALUES (v_now, v_type, v_tid, v_data, v_oa, v_ob);
  END IF;
END;
$$;

-- migrate:down

CREATE OR REPLACE FUNCTION public.ledger_apply(p_items jsonb, p_key_ttl_ms bigint)
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
  v_now   timestamptz;
  v_now_s text;
  v_seq_t regclass := pg_get_serial_sequence('transfers', 'id')::regclass;
  v_seq_e regclass := pg_get_serial_sequence('entries', 'id')::regclass;
  v_ttl   interval := make_interval(secs => p_key_ttl_ms / 1000.0);
  -- The locked accounts, by position (ids ascending): what they were and what they become.
  a_id bigint[] := '{}'; a_owner text[] := '{}'; a_cur text[] := '{}'; a_fund boolean[] := '{}';
  a_created text[] := '{}'; a_bal bigint[] := '{}'; a_orig bigint[] := '{}';
  a_status text[] := '{}'; a_status_orig text[] := '{}';
  a_pd bigint[] := '{}'; a_pc bigint[] := '{}';  -- live holds out (pending debits) and in (pending credits)
  -- The locked transfers the items act on (post, void, reverse), by position: as they become.
  t_id bigint[] := '{}'; t_from bigint[] := '{}'; t_to bigint[] := '{}'; t_amt bigint[] := '{}'; t_cur text[] := '{}';
  t_status text[] := '{}'; t_expires timestamptz[] := '{}'; t_released bigint[] := '{}'; t_reversed bigint[] := '{}';
  t_posted bigint[] := '{}';
  t_ref text[] := '{}'; t_meta jsonb[] := '{}'; t_rev_of bigint[] := '{}'; t_created timestamptz[] := '{}';
  t_dirty boolean[] := '{}';
  -- New transfers and entries, written set-wise at the end.
  w_tid bigint[] := '{}'; w_from bigint[] := '{}'; w_to bigint[] := '{}'; w_amt bigint[] := '{}'; w_cur text[] := '{}';
  w_status text[] := '{}'; w_expires timestamptz[] := '{}'; w_ref text[] := '{}'; w_meta jsonb[] := '{}'; w_rev_of bigint[] := '{}';
  w_posted bigint[] := '{}';
  e_id bigint[] := '{}'; e_acct bigint[] := '{}'; e_amt bigint[] := '{}'; e_tid bigint[] := '{}'; e_bal bigint[] := '{}';
  ids bigint[]; targets bigint[]; r record; i int; f int; t int; x int; amt bigint; cur text; acct int; k record;
  keyed boolean; j int;
  -- What the item answers: a transfer (its fields, the sender's position, its entries) or an account.
  o_kind text; o_tid bigint; o_amt bigint; o_status text; o_posted bigint; o_expires timestamptz; o_ref text;
  o_meta jsonb; o_rev_of bigint; o_created timestamptz; o_efrom bigint; o_eto bigint; o_moved bigint;
  rel bigint;  -- a posting: the hold's own reservation, which the posting draws on
  -- Idempotency-Keys, by item: the key's lock taken, and its live stored answer (if any).
  k_locked boolean[] := '{}'; k_fp bytea[] := '{}'; k_status int[] := '{}'; k_resp jsonb[] := '{}';
  any_keyed boolean := false; expired boolean := false; stored jsonb;
  -- The answers this batch stores, set-wise at the end ("user\nkey" finds an earlier item's).
  s_uk text[] := '{}'; s_user text[] := '{}'; s_key text[] := '{}'; s_fp bytea[] := '{}';
  s_status int[] := '{}'; s_resp jsonb[] := '{}';
  -- The accounts that changed: ids, balance deltas, statuses.
  c_id bigint[] := '{}'; c_delta bigint[] := '{}'; c_status text[] := '{}';
BEGIN
  IF n = 0 THEN RETURN; END IF;

  -- 1. The accounts: every item's, those of the transfers acted on, and the funding account of each
  -- deposit's or withdrawal's currency; then the transfers acted on.
  targets := ARRAY(SELECT DISTINCT x.transfer_id FROM unnest(items) AS x WHERE x.transfer_id IS NOT NULL);
  ids := ARRAY(SELECT unnest(ARRAY[x.from_account_id, x.to_account_id, x.account_id]) FROM unnest(items) AS x);
  IF array_length(targets, 1) > 0 THEN
    -- A transfer's accounts never change: read them before the locks, lock them with the rest.
    ids := ids || ARRAY(SELECT unnest(ARRAY[tr.from_account_id, tr.to_account_id]::bigint[]) FROM transfers tr WHERE tr.id = ANY (targets));
  END IF;
  IF EXISTS (SELECT FROM unnest(items) AS x WHERE x.kind IN ('deposit', 'withdrawal')) THEN
    ids := ids || ARRAY(
      SELECT fa.id FROM accounts fa
      WHERE fa.is_funding AND fa.currency IN (
        SELECT ca.currency FROM accounts ca
        WHERE ca.id = ANY (ARRAY(SELECT x.account_id FROM unnest(items) AS x WHERE x.kind IN ('deposit', 'withdrawal')))));
  END IF;
  FOR r IN
    SELECT a.id, a.owner, a.balance, a.currency, a.is_funding, a.created_at, a.status
    FROM accounts a WHERE a.id = ANY (ids)
    ORDER BY a.id FOR NO KEY UPDATE
  LOOP
    a_id := a_id || r.id; a_owner := a_owner || r.owner; a_bal := a_bal || r.balance::bigint;
    a_cur := a_cur || r.currency; a_fund := a_fund || r.is_funding; a_created := a_created || api_timestamp(r.created_at);
    a_status := a_status || r.status;
  END LOOP;
  a_orig := a_bal; a_status_orig := a_status;
  v_now := clock_timestamp();
  v_now_s := api_timestamp(v_now);
  -- Their live holds, out and in: under these locks no hold of theirs can begin or end but ours.
  SELECT array_agg(coalesce(po.s, 0) ORDER BY g.pos), array_agg(coalesce(pi.s, 0) ORDER BY g.pos) INTO a_pd, a_pc
  FROM generate_subscripts(a_id, 1) AS g(pos)
  LEFT JOIN LATERAL (SELECT sum(tr.amount)::bigint AS s FROM transfers tr
                     WHERE tr.from_account_id = a_id[g.pos] AND tr.status = 'pending' AND tr.expires_at > v_now) po ON true
  LEFT JOIN LATERAL (SELECT sum(tr.amount)::bigint AS s FROM transfers tr
                     WHERE tr.to_account_id = a_id[g.pos] AND tr.status = 'pending' AND tr.expires_at > v_now) pi ON true;
  IF array_length(targets, 1) > 0 THEN
    FOR r IN
      SELECT tr.* FROM transfers tr WHERE tr.id = ANY (targets) ORDER BY tr.id FOR UPDATE
    LOOP
      t_id := t_id || r.id::bigint; t_from := t_from || r.from_account_id::bigint; t_to := t_to || r.to_account_id::bigint;
      t_amt := t_amt || r.amount::bigint; t_cur := t_cur || r.currency; t_status := t_status || r.status;
      t_expires := t_expires || r.expires_at; t_released := t_released || r.released_amount;
      t_reversed := t_reversed || r.reversed_amount; t_ref := t_ref || r.reference::text; t_meta := t_meta || r.metadata::jsonb;
      t_posted := t_posted || r.posted_amount;
      t_rev_of := t_rev_of || r.reverses_transfer_id; t_created := t_created || r.created_at; t_dirty := t_dirty || false;
    END LOOP;
  END IF;

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
    o_kind := NULL; o_efrom := NULL; o_eto := NULL; f := NULL; t := NULL; x := NULL; rel := 0;

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
          stored := CASE WHEN j IS NOT NULL THEN s_resp[j] ELSE k_resp[i] END;
          IF status < 300 THEN
            result := ledger_stored_answer(stored)::json;
          ELSE -- a stored refusal: its code and detail
            code := stored ->> 'code'; detail := stored ->> 'detail'; field := stored ->> 'field';
          END IF;
          EXIT item;
        END IF;
      END IF;

      amt := it.amount;
      IF (amt IS NOT NULL OR it.kind IN ('transfer', 'deposit', 'withdrawal')) AND (amt IS NULL OR amt <= 0 OR amt > max_balance) THEN
        status := 400; code := 'validation_failed'; field := 'amount';
        detail := 'must be an integer from 1 to 9007199254740991'; EXIT item;
      END IF;
      IF it.kind IN ('post', 'void', 'reverse') THEN
        x := array_position(t_id, it.transfer_id);
        IF x IS NULL THEN
          status := 404; code := 'not_found'; field := 'transfer_id';
          detail := format('transfer %s not found', it.transfer_id); EXIT item;
        END IF;
        f := array_position(a_id, t_from[x]); t := array_position(a_id, t_to[x]);
      END IF;

      -- 3. By kind: the legs (f sends, t receives, positions among the locked accounts) and what is
      -- particular to it; a kind that moves no money answers here.
      CASE it.kind
      WHEN 'transfer' THEN
        f := array_position(a_id, it.from_account_id);
        t := array_position(a_id, it.to_account_id);
        cur := it.currency;
        -- Whose account it is comes before every rule: a refusal stored under a key (a 422) is only
        -- ever about the caller's own account, so no one stores answers about accounts not theirs.
        IF f IS NULL THEN
          status := 404; code := 'not_found'; field := 'from_account_id';
          detail := format('account %s not found', it.from_account_id); EXIT item;
        END IF;
        IF it.acting_owner IS NOT NULL AND a_owner[f] <> it.acting_owner THEN
          status := 403; code := 'forbidden'; field := 'from_account_id';
          detail := 'the from-account does not belong to you'; EXIT item;
        END IF;
        IF it.from_account_id = it.to_account_id THEN
          status := 422; code := 'same_account'; detail := 'from and to are the same account'; EXIT item;
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
      WHEN 'post' THEN
        cur := t_cur[x];
        IF it.acting_owner IS NOT NULL AND a_owner[f] <> it.acting_owner THEN
          status := 403; code := 'forbidden'; detail := 'only the sender''s owner or a banker may post a hold'; EXIT item;
        END IF;
        IF t_status[x] = 'expired' OR (t_status[x] = 'pending' AND t_expires[x] <= v_now) THEN
          status := 422; code := 'transfer_expired'; detail := 'the hold has expired'; EXIT item;
        END IF;
        IF t_status[x] <> 'pending' THEN
          status := 422; code := 'transfer_not_pending'; detail := format('the transfer is %s, not a live hold', t_status[x]); EXIT item;
        END IF;
        amt := coalesce(amt, t_amt[x]);
        IF amt > t_amt[x] THEN
          status := 422; code := 'amount_exceeds_pending'; field := 'amount';
          detail := format('the hold is for %s', t_amt[x]); EXIT item;
        END IF;
        rel := t_amt[x];
      WHEN 'void' THEN
        IF it.acting_owner IS NOT NULL AND a_owner[f] <> it.acting_owner AND a_owner[t] <> it.acting_owner THEN
          status := 403; code := 'forbidden'; detail := 'only either side''s owner or a banker may void a hold'; EXIT item;
        END IF;
        IF t_status[x] = 'expired' OR (t_status[x] = 'pending' AND t_expires[x] <= v_now) THEN
          status := 422; code := 'transfer_expired'; detail := 'the hold has expired'; EXIT item;
        END IF;
        IF t_status[x] <> 'pending' THEN
          status := 422; code := 'transfer_not_pending'; detail := format('the transfer is %s, not a live hold', t_status[x]); EXIT item;
        END IF;
        -- Released: nothing moves (a frozen account's holds may still be voided).
        a_pd[f] := a_pd[f] - t_amt[x]; a_pc[t] := a_pc[t] - t_amt[x];
        t_status[x] := 'voided'; t_released[x] := t_amt[x]; t_posted[x] := 0; t_dirty[x] := true;
        status := 200; o_kind := 'transfer'; o_tid := t_id[x]; o_amt := t_amt[x]; o_status := 'voided'; o_posted := 0;
        o_expires := t_expires[x]; o_ref := t_ref[x]; o_meta := t_meta[x]; o_rev_of := t_rev_of[x]; o_created := t_created[x];
        EXIT item;
      WHEN 'reverse' THEN
        -- A refund: the receiver pays back what it received. Depositors refund transfers only; a banker
        -- reverses anything (the acting owner is then absent).
        IF it.acting_owner IS NOT NULL AND (a_owner[t] <> it.acting_owner OR a_fund[f] OR a_fund[t]) THEN
          status := 403; code := 'forbidden'; detail := 'only the receiver''s owner (or a banker) may reverse a transfer'; EXIT item;
        END IF;
        o_moved := CASE WHEN t_status[x] = 'posted' THEN t_amt[x] - t_released[x] ELSE 0 END - t_reversed[x];
        amt := coalesce(amt, o_moved);
        IF amt > o_moved OR amt <= 0 THEN
          status := 422; code := 'reversal_exceeds_amount';
          detail := format('%s of this transfer can still be reversed', greatest(o_moved, 0)); EXIT item;
        END IF;
        cur := t_cur[x];
        j := f; f := t; t := j;  -- the money goes back
      WHEN 'freeze', 'unfreeze', 'close' THEN
        acct := array_position(a_id, it.account_id);
        IF acct IS NULL THEN
          status := 404; code := 'not_found'; field := 'account_id';
          detail := format('account %s not found', it.account_id); EXIT item;
        END IF;
        IF a_fund[acct] THEN
          status := 403; code := 'forbidden'; detail := 'a funding account can be neither frozen nor closed'; EXIT item;
        END IF;
        IF it.acting_owner IS NOT NULL AND a_owner[acct] <> it.acting_owner THEN
          status := 403; code := 'forbidden'; field := 'account_id'; detail := 'the account does not belong to you'; EXIT item;
        END IF;
        IF a_status[acct] = 'closed' THEN
          IF it.kind = 'close' THEN  -- closing is final: closing again answers the closed account
            status := 200; o_kind := 'account'; x := acct; EXIT item;
          END IF;
          status := 422; code := 'account_closed'; detail := 'the account is closed'; EXIT item;
        END IF;
        IF it.kind = 'close' THEN
          IF a_status[acct] = 'frozen' AND it.acting_owner IS NOT NULL THEN
            status := 422; code := 'account_frozen'; detail := 'the account is frozen'; EXIT item;
          END IF;
          IF a_bal[acct] <> 0 OR a_pd[acct] > 0 OR a_pc[acct] > 0 THEN
            status := 422; code := 'account_not_empty'; detail := 'only an account with a balance of 0 and no live hold can be closed'; EXIT item;
          END IF;
        END IF;
        a_status[acct] := CASE it.kind WHEN 'freeze' THEN 'frozen' WHEN 'unfreeze' THEN 'open' ELSE 'closed' END;
        status := 200; o_kind := 'account'; x := acct; EXIT item;
      ELSE
        status := 400; code := 'validation_failed'; field := 'kind';
        detail := format('unknown kind of item %s', it.kind); EXIT item;
      END CASE;

      -- 4. The rules every movement obeys (a hold's too, on the available balance).
      IF a_status[f] = 'closed' OR a_status[t] = 'closed' THEN
        status := 422; code := 'account_closed'; detail := 'the movement touches a closed account'; EXIT item;
      END IF;
      IF a_status[f] = 'frozen' OR a_status[t] = 'frozen' THEN
        status := 422; code := 'account_frozen'; detail := 'the movement touches a frozen account'; EXIT item;
      END IF;
      IF a_cur[f] <> cur OR a_cur[t] <> cur THEN
        status := 422; code := 'currency_mismatch'; detail := 'the currency differs from the accounts'' currency'; EXIT item;
      END IF;
      IF NOT a_fund[f] AND a_bal[f] - (a_pd[f] - rel) < amt THEN
        status := 422; code := 'insufficient_funds'; detail := 'insufficient funds'; EXIT item;
      END IF;
      IF a_bal[f] - (a_pd[f] - rel) - amt < -max_balance OR a_bal[t] + (a_pc[t] - rel) + amt > max_balance THEN
        status := 422; code := 'balance_limit_exceeded';
        detail := 'the movement would take a balance past ±9007199254740991'; EXIT item;
      END IF;

      IF it.kind = 'transfer' AND it.pending THEN
        -- A hold: reserved, nothing moves.
        a_pd[f] := a_pd[f] + amt; a_pc[t] := a_pc[t] + amt;
        o_tid := nextval(v_seq_t); o_status := 'pending'; o_posted := 0;
        o_expires := v_now + make_interval(secs => coalesce(it.timeout_seconds, 86400));
        o_ref := it.reference; o_meta := coalesce(it.metadata, '{}'); o_rev_of := NULL; o_created := v_now;
        w_tid := w_tid || o_tid; w_from := w_from || a_id[f]; w_to := w_to || a_id[t]; w_amt := w_amt || amt; w_cur := w_cur || cur;
        w_status := w_status || o_status; w_expires := w_expires || o_expires; w_ref := w_ref || o_ref; w_meta := w_meta || o_meta;
        w_rev_of := w_rev_of || NULL::bigint; w_posted := w_posted || 0::bigint;
        status := 201; o_kind := 'transfer'; o_amt := amt;
        EXIT item;
      END IF;

      -- The movement: balances here, rows at the end.
      a_bal[f] := a_bal[f] - amt; a_pd[f] := a_pd[f] - rel;
      a_bal[t] := a_bal[t] + amt; a_pc[t] := a_pc[t] - rel;
      o_efrom := nextval(v_seq_e); o_eto := nextval(v_seq_e);
      IF it.kind = 'post' THEN
        t_status[x] := 'posted'; t_released[x] := t_amt[x] - amt; t_posted[x] := amt; t_dirty[x] := true;
        o_tid := t_id[x]; o_amt := t_amt[x]; o_status := 'posted'; o_posted := amt; o_expires := t_expires[x];
        o_ref := t_ref[x]; o_meta := t_meta[x]; o_rev_of := t_rev_of[x]; o_created := t_created[x];
        status := 200;
      ELSE
        IF it.kind = 'reverse' THEN t_reversed[x] := t_reversed[x] + amt; t_dirty[x] := true; END IF;
        o_tid := nextval(v_seq_t); o_amt := amt; o_status := 'posted'; o_posted := amt; o_expires := NULL;
        o_ref := it.reference; o_meta := coalesce(it.metadata, '{}');
        o_rev_of := CASE WHEN it.kind = 'reverse' THEN t_id[x] END; o_created := v_now;
        w_tid := w_tid || o_tid; w_from := w_from || a_id[f]; w_to := w_to || a_id[t]; w_amt := w_amt || amt; w_cur := w_cur || cur;
        w_status := w_status || o_status; w_expires := w_expires || o_expires; w_ref := w_ref || o_ref; w_meta := w_meta || o_meta;
        w_rev_of := w_rev_of || o_rev_of; w_posted := w_posted || amt;
        status := 201;
      END IF;
      e_id := e_id || o_efrom || o_eto; e_acct := e_acct || a_id[f] || a_id[t]; e_amt := e_amt || -amt || amt;
      e_tid := e_tid || o_tid || o_tid; e_bal := e_bal || a_bal[f] || a_bal[t];
      o_kind := 'transfer';
    END item;

    -- The answer's JSON: the API's TransferResult (what the sender sees) or {account}.
    IF o_kind = 'transfer' THEN
      result := json_build_object(
        'transfer', json_build_object('id', o_tid, 'from_account_id', a_id[f], 'to_account_id', a_id[t],
                                      'amount', o_amt, 'created_at', api_timestamp(o_created), 'status', o_status,
                                      'posted_amount', o_posted,
                                      'expires_at', CASE WHEN o_expires IS NOT NULL THEN api_timestamp(o_expires) END,
                                      'reference', o_ref, 'metadata', o_meta, 'reverses_transfer_id', o_rev_of),
        'from_account', json_build_object('id', a_id[f], 'owner', a_owner[f], 'balance', a_bal[f],
                                          'currency', a_cur[f], 'created_at', a_created[f], 'status', a_status[f],
                                          'pending_debits', a_pd[f], 'pending_credits', a_pc[f],
                                          'available_balance', a_bal[f] - a_pd[f]),
        'from_entry', CASE WHEN o_efrom IS NOT NULL THEN
                        json_build_object('id', o_efrom, 'account_id', a_id[f], 'amount', -o_posted,
                                          'transfer_id', o_tid, 'created_at', v_now_s, 'balance_after', a_bal[f]) END,
        'to_entry', CASE WHEN o_eto IS NOT NULL THEN
                      json_build_object('id', o_eto, 'account_id', a_id[t], 'amount', o_posted,
                                        'transfer_id', o_tid, 'created_at', v_now_s, 'balance_after', a_bal[t]) END);
    ELSIF o_kind = 'account' THEN
      result := json_build_object('account', json_build_object('id', a_id[x], 'owner', a_owner[x], 'balance', a_bal[x],
                                  'currency', a_cur[x], 'created_at', a_created[x], 'status', a_status[x],
                                  'pending_debits', a_pd[x], 'pending_credits', a_pc[x],
                                  'available_balance', a_bal[x] - a_pd[x]));
    END IF;

    -- 6. Only committed outcomes are stored under a key: a success, or a 422 rule refusal.
    IF keyed AND NOT replayed AND (status < 300 OR (status = 422 AND code <> 'idempotency_key_reused')) THEN
      s_uk := s_uk || (it.key_user || E'\n' || it.key); s_user := s_user || it.key_user; s_key := s_key || it.key;
      s_fp := s_fp || it.fingerprint; s_status := s_status || status;
      s_resp := s_resp || CASE WHEN status < 300 THEN result::jsonb ELSE jsonb_strip_nulls(jsonb_build_object('code', code, 'detail', detail, 'field', field)) END;
    END IF;
    RETURN NEXT;
  END LOOP;

  -- 7. The writes.
  IF array_length(w_tid, 1) > 0 THEN
    INSERT INTO transfers (id, from_account_id, to_account_id, amount, currency, created_at, status, expires_at,
                           reference, metadata, reverses_transfer_id, posted_amount)
    OVERRIDING SYSTEM VALUE
    SELECT w.id, w.f, w.t, w.amt, w.cur, v_now, w.st, w.exp, w.ref, w.meta, w.rev, w.posted
    FROM unnest(w_tid, w_from, w_to, w_amt, w_cur, w_status, w_expires, w_ref, w_meta, w_rev_of, w_posted)
      AS w(id, f, t, amt, cur, st, exp, ref, meta, rev, posted);
  END IF;
  IF true = ANY (t_dirty) THEN
    -- By id (= ANY: an index probe per id in any generic plan, as for the accounts below).
    ids := ARRAY(SELECT t_id[g.pos] FROM generate_subscripts(t_id, 1) AS g(pos) WHERE t_dirty[g.pos]);
    UPDATE transfers tr SET status = t_status[array_position(t_id, tr.id::bigint)],
                            released_amount = t_released[array_position(t_id, tr.id::bigint)],
                            reversed_amount = t_reversed[array_position(t_id, tr.id::bigint)],
                            posted_amount = t_posted[array_position(t_id, tr.id::bigint)]
    WHERE tr.id = ANY (ids);
  END IF;
  IF array_length(e_id, 1) > 0 THEN
    INSERT INTO entries (id, account_id, amount, transfer_id, created_at, balance_after)
    OVERRIDING SYSTEM VALUE
    SELECT e.id, e.acct, e.amt, e.tid, v_now, e.bal FROM unnest(e_id, e_acct, e_amt, e_tid, e_bal) AS e(id, acct, amt, tid, bal)
    ORDER BY e.id;
  END IF;
  -- Only the accounts whose balance or status changed, found by their ids (= ANY: an index probe per id
  -- in any generic plan; a join with unnest could be planned as a scan of the whole accounts index).
  FOR j IN 1 .. coalesce(array_length(a_id, 1), 0) LOOP
    IF a_bal[j] <> a_orig[j] OR a_status[j] <> a_status_orig[j] THEN
      c_id := c_id || a_id[j]; c_delta := c_delta || (a_bal[j] - a_orig[j]); c_status := c_status || a_status[j];
    END IF;
  END LOOP;
  IF array_length(c_id, 1) > 0 THEN
    UPDATE accounts a SET balance = a.balance + c_delta[array_position(c_id, a.id::bigint)],
                          status = c_status[array_position(c_id, a.id::bigint)]
    WHERE a.id = ANY (c_id);
  END IF;

  IF array_length(s_user, 1) > 0 THEN
    INSERT INTO idempotency_keys (username, key, fingerprint, status, response)
    SELECT * FROM unnest(s_user, s_key, s_fp, s_status, s_resp);
  END IF;
END;
$function$;
