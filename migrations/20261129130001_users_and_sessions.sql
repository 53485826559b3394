-- migrate:up
CREATE TABLE users (
  username            text        NOT NULL,
  hashed_password     text        NOT NULL,
  full_name           text        NOT NULL,
  email               text        NOT NULL,
  role                text        NOT NULL DEFAULT 'depositor',
  password_changed_at timestamptz NOT NULL DEFAULT now(),
  created_at          timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT users_pkey PRIMARY KEY (username),
  CONSTRAINT users_username_format CHECK (username ~ '^[a-z0-9_]{3,100}$'),
  CONSTRAINT users_full_name_length CHECK (char_length(full_name) BETWEEN 1 AND 100),
  CONSTRAINT users_email_length CHECK (char_length(email) BETWEEN 3 AND 200),
  -- 'system' is reserved for the bank's own user, which owns the funding accounts and cannot log in.
  CONSTRAINT users_role_known CHECK (role IN ('depositor', 'banker', 'system'))
);

-- Addresses are compared case-insensitively: Bob@x.io and bob@x.io are one mailbox.
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

CREATE TABLE sessions (
  id                 uuid        NOT NULL,
  username           text        NOT NULL,
  -- SHA-256 of the refresh token: a leaked table does not leak usable tokens.
  refresh_token_hash bytea       NOT NULL,
  user_agent         text        NOT NULL,
  client_ip          text        NOT NULL,
  is_blocked         boolean     NOT NULL DEFAULT false,
  expires_at         timestamptz NOT NULL,
  created_at         timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT sessions_pkey PRIMARY KEY (id),
  CONSTRAINT sessions_username_fkey FOREIGN KEY (username) REFERENCES users (username) ON DELETE CASCADE,
  CONSTRAINT sessions_refresh_token_hash_length CHECK (octet_length(refresh_token_hash) = 32)
);

CREATE INDEX sessions_username_idx ON sessions (username);

-- migrate:down
DROP TABLE sessions;
DROP TABLE users;
