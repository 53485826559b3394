-- migrate:up
-- Ids and money get types of their own: a column says what it holds, and the code generator maps
-- each domain to a branded TypeScript type (scripts/codegen.ts), so an account id cannot be passed
-- where a transfer id or an amount is expected. Same storage (bigint), same values; identity
-- columns cannot be of a domain type, so the primary keys take their sequences as plain defaults
-- (same sequence names, same next values).
CREATE DOMAIN account_id AS bigint CONSTRAINT account_id_positive CHECK (VALUE > 0);
CREATE DOMAIN transfer_id AS bigint CONSTRAINT transfer_id_positive CHECK (VALUE > 0);
CREATE DOMAIN entry_id AS bigint CONSTRAINT entry_id_positive CHECK (VALUE > 0);
-- Integer minor units, within what a JSON number carries exactly (±(2^53 − 1)).
CREATE DOMAIN cents AS bigint
  CONSTRAINT cents_within_safe_integer CHECK (VALUE BETWEEN -9007199254740991 AND 9007199254740991);

DO $$
DECLARE
  t text;
  next_id bigint;
BEGIN
  FOREACH t IN ARRAY ARRAY['accounts', 'transfers', 'entries'] LOOP
    EXECUTE format('LOCK TABLE %I IN ACCESS EXCLUSIVE MODE', t);
    EXECUTE format('SELECT coalesce(max(id), 0) + 1 FROM %I', t) INTO next_id;
    EXECUTE format('ALTER TABLE %I ALTER COLUMN id DROP IDENTITY', t);
    EXECUTE format('CREATE SEQUENCE %I OWNED BY %I.id', t || '_id_seq', t);
    EXECUTE format('SELECT setval(%L, %s, false)', t || '_id_seq', next_id);
    EXECUTE format('ALTER TABLE %I ALTER COLUMN id SET DEFAULT nextval(%L::regclass)', t, t || '_id_seq');
  END LOOP;
END $$;

ALTER TABLE accounts
  ALTER COLUMN id TYPE account_id,
  ALTER COLUMN balance TYPE cents;
ALTER TABLE transfers
  ALTER COLUMN id TYPE transfer_id,
  ALTER COLUMN from_account_id TYPE account_id,
  ALTER COLUMN to_account_id TYPE account_id,
  ALTER COLUMN amount TYPE cents;
ALTER TABLE entries
  ALTER COLUMN id TYPE entry_id,
  ALTER COLUMN account_id TYPE account_id,
  ALTER COLUMN transfer_id TYPE transfer_id,
  ALTER COLUMN amount TYPE cents;

-- migrate:down
ALTER TABLE entries
  ALTER COLUMN id TYPE bigint,
  ALTER COLUMN account_id TYPE bigint,
  ALTER COLUMN transfer_id TYPE bigint,
  ALTER COLUMN amount TYPE bigint;
ALTER TABLE transfers
  ALTER COLUMN id TYPE bigint,
  ALTER COLUMN from_account_id TYPE bigint,
  ALTER COLUMN to_account_id TYPE bigint,
  ALTER COLUMN amount TYPE bigint;
ALTER TABLE accounts
  ALTER COLUMN id TYPE bigint,
  ALTER COLUMN balance TYPE bigint;

DO $$
DECLARE
  t text;
  next_id bigint;
BEGIN
  FOREACH t IN ARRAY ARRAY['accounts', 'transfers', 'entries'] LOOP
    EXECUTE format('SELECT nextval(%L)', t || '_id_seq') INTO next_id;
    EXECUTE format('ALTER TABLE %I ALTER COLUMN id DROP DEFAULT', t);
    EXECUTE format('DROP SEQUENCE %I', t || '_id_seq');
    EXECUTE format('ALTER TABLE %I ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (START WITH %s)', t, next_id);
  END LOOP;
END $$;

DROP DOMAIN cents;
DROP DOMAIN entry_id;
DROP DOMAIN transfer_id;
DROP DOMAIN account_id;
