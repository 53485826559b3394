-- migrate:up
CREATE TABLE accounts (
  id         bigint      GENERATED ALWAYS AS IDENTITY,
  owner      text        NOT NULL,
  balance    bigint      NOT NULL DEFAULT 0,
  currency   text        NOT NULL,
  -- Funding accounts belong to the bank's system user; deposits and withdrawals move money
  -- between them and customer accounts, so per currency the balances always sum to zero.
  is_funding boolean     NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT accounts_pkey PRIMARY KEY (id),
  CONSTRAINT accounts_owner_fkey FOREIGN KEY (owner) REFERENCES users (username),
  CONSTRAINT accounts_owner_currency_key UNIQUE (owner, currency),
  -- Target of the (account, currency) foreign keys below: a transfer's currency is its accounts'.
  CONSTRAINT accounts_id_currency_key UNIQUE (id, currency),
  CONSTRAINT accounts_currency_supported CHECK (currency IN ('USD', 'EUR', 'CAD')),
  CONSTRAINT accounts_balance_nonnegative CHECK (is_funding OR balance >= 0)
);

CREATE UNIQUE INDEX accounts_one_funding_per_currency ON accounts (currency) WHERE is_funding;

CREATE TABLE transfers (
  id              bigint      GENERATED ALWAYS AS IDENTITY,
  from_account_id bigint      NOT NULL,
  to_account_id   bigint      NOT NULL,
  amount          bigint      NOT NULL,
  currency        text        NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT transfers_pkey PRIMARY KEY (id),
  CONSTRAINT transfers_from_account_fkey FOREIGN KEY (from_account_id, currency)
    REFERENCES accounts (id, currency),
  CONSTRAINT transfers_to_account_fkey FOREIGN KEY (to_account_id, currency)
    REFERENCES accounts (id, currency),
  CONSTRAINT transfers_amount_positive CHECK (amount > 0),
  CONSTRAINT transfers_distinct_accounts CHECK (from_account_id <> to_account_id)
);

CREATE INDEX transfers_from_account_idx ON transfers (from_account_id);
CREATE INDEX transfers_to_account_idx ON transfers (to_account_id);

CREATE TABLE entries (
  id          bigint      GENERATED ALWAYS AS IDENTITY,
  account_id  bigint      NOT NULL,
  amount      bigint      NOT NULL,
  transfer_id bigint      NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT entries_pkey PRIMARY KEY (id),
  CONSTRAINT entries_account_fkey FOREIGN KEY (account_id) REFERENCES accounts (id),
  CONSTRAINT entries_transfer_fkey FOREIGN KEY (transfer_id) REFERENCES transfers (id),
  CONSTRAINT entries_amount_nonzero CHECK (amount <> 0)
);

-- Statements: an account's entries newest first, paged by keyset on id.
CREATE INDEX entries_account_id_idx ON entries (account_id, id DESC);
CREATE INDEX entries_transfer_idx ON entries (transfer_id);

-- The bank's own user and one funding account per supported currency.
INSERT INTO users (username, hashed_password, full_name, email, role)
VALUES ('simplebank_system', '!', 'simple bank funding', 'funding@system.invalid', 'system');

INSERT INTO accounts (owner, currency, is_funding)
VALUES ('simplebank_system', 'USD', true),
       ('simplebank_system', 'EUR', true),
       ('simplebank_system', 'CAD', true);

-- migrate:down
DROP TABLE entries;
DROP TABLE transfers;
DROP TABLE accounts;
DELETE FROM users WHERE username = 'simplebank_system';
