-- migrate:up

-- Written by `npm run codegen` from sql/functions/ledger_stored_answer.pgsql: edit that file, never this one.
-- up: the function as the source has it; down: the function as it was before.
-- A stored success (idempotency_keys.response) as this release answers it. Answers stored before API v1.3
-- lack the fields it added: they are given what was true when they were stored (an immediate transfer,
-- posted in full, no reference, no metadata; an open account with no holds; each entry's balance after
-- it, read from the entry). Replays of newer answers pass through unchanged. Called by ledger_apply
-- (sql/functions/ledger_apply.pgsql) for replays only.
CREATE OR REPLACE FUNCTION ledger_stored_answer(p_stored jsonb) RETURNS jsonb
LANGUAGE sql STABLE
SET enable_seqscan = off
AS $$
  SELECT CASE
    WHEN p_stored ? 'account' OR (p_stored -> 'transfer') ? 'status' THEN p_stored
    ELSE p_stored
      || jsonb_build_object('transfer', (p_stored -> 'transfer') || jsonb_build_object(
           'status', 'posted', 'posted_amount', p_stored -> 'transfer' -> 'amount', 'expires_at', NULL,
           'reference', NULL, 'metadata', '{}'::jsonb, 'reverses_transfer_id', NULL))
      || jsonb_build_object('from_account', (p_stored -> 'from_account') || jsonb_build_object(
           'status', 'open', 'pending_debits', 0, 'pending_credits', 0,
           'available_balance', p_stored -> 'from_account' -> 'balance'))
      || jsonb_build_object('from_entry', (p_stored -> 'from_entry') || jsonb_build_object('balance_after',
           (SELECT e.balance_after FROM entries e WHERE e.id = (p_stored -> 'from_entry' ->> 'id')::bigint)))
      || jsonb_build_object('to_entry', (p_stored -> 'to_entry') || jsonb_build_object('balance_after',
           (SELECT e.balance_after FROM entries e WHERE e.id = (p_stored -> 'to_entry' ->> 'id')::bigint)))
  END
$$;

-- migrate:down

DROP FUNCTION ledger_stored_answer(p_stored jsonb);
