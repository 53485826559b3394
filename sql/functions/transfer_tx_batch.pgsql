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
