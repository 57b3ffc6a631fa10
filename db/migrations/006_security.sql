-- Up Migration
-- Machine credentials. Only the SHA-256 of a key is stored: the key itself is shown once, at creation.
CREATE TABLE api_keys (
  id           text PRIMARY KEY,
  name         text NOT NULL,
  key_hash     bytea NOT NULL UNIQUE,
  -- The first characters of the key, so a listing can say which key is which without revealing it.
  prefix       text NOT NULL,
  scopes       text[] NOT NULL CHECK (cardinality(scopes) > 0),
  -- Decision requests per rate window for this key; NULL = the configured default.
  rate_limit   integer CHECK (rate_limit > 0),
  created_by   text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at   timestamptz,
  revoked_by   text
);

-- People. Passwords are argon2id hashes (PHC strings); roles grant permissions (api/permissions.ts).
CREATE TABLE users (
  username        text PRIMARY KEY CHECK (username ~ '^[a-z0-9][a-z0-9._@-]{1,63}$'),
  password_hash   text NOT NULL,
  roles           text[] NOT NULL DEFAULT '{}',
  -- TOTP: the secret is set at enrolment and takes effect once a first code has been verified.
  totp_secret     text,
  totp_enabled    boolean NOT NULL DEFAULT false,
  -- The last accepted TOTP time step: a code is never accepted twice.
  totp_last_step  bigint,
  failed_logins   integer NOT NULL DEFAULT 0,
  locked_at       timestamptz,
  created_by      text NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);

-- Sign-in sessions (cookie or bearer token). Only the token's SHA-256 is stored.
CREATE TABLE sessions (
  token_hash   bytea PRIMARY KEY,
  username     text NOT NULL REFERENCES users (username) ON DELETE CASCADE,
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL
);
CREATE INDEX sessions_user ON sessions (username);

-- Four-eyes: a change that needs a second person is requested by its author and approved by someone else.
-- An approval is bound to one subject (a ruleset version, or the digest of a deployment spec) and used once.
CREATE TABLE approvals (
  id           bigserial PRIMARY KEY,
  action       text NOT NULL CHECK (action IN ('ruleset.publish', 'deployment.change')),
  subject      text NOT NULL,
  comment      text,
  requested_by text NOT NULL,
  requested_at timestamptz NOT NULL DEFAULT now(),
  status       text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected', 'used')),
  decided_by   text,
  decided_at   timestamptz,
  used_by      text,
  used_at      timestamptz,
  CHECK (decided_by IS NULL OR decided_by <> requested_by)
);
CREATE INDEX approvals_subject ON approvals (action, subject, status);

-- One row once the first admin credential exists (provisioned or printed): the bootstrap key is offered once.
CREATE TABLE security_bootstrap (
  id      integer PRIMARY KEY CHECK (id = 1),
  how     text NOT NULL,
  done_at timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE security_bootstrap;
DROP TABLE approvals;
DROP TABLE sessions;
DROP TABLE users;
DROP TABLE api_keys;
