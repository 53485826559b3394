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
