-- Up Migration
-- A ruleset has one editable draft; saving it makes an immutable numbered version.
CREATE TABLE rulesets (
  name           text PRIMARY KEY CHECK (name ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
  draft          jsonb NOT NULL,
  draft_revision integer NOT NULL DEFAULT 1,
  created_by     text NOT NULL DEFAULT 'system',
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_by     text NOT NULL DEFAULT 'system',
  updated_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE ruleset_versions (
  ruleset      text NOT NULL REFERENCES rulesets (name),
  version      integer NOT NULL CHECK (version > 0),
  document     jsonb NOT NULL,
  valid        boolean NOT NULL,
  problems     jsonb NOT NULL DEFAULT '[]',
  comment      text,
  created_by   text NOT NULL DEFAULT 'system',
  created_at   timestamptz NOT NULL DEFAULT now(),
  published_at timestamptz,
  published_by text,
  PRIMARY KEY (ruleset, version)
);

-- Immutability is enforced by the database, not only the API: a saved version's content never changes.
-- Only the publication stamp may be set, once.
CREATE FUNCTION ruleset_versions_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN RAISE EXCEPTION 'ruleset versions cannot be deleted'; END IF;
  IF NEW.document IS DISTINCT FROM OLD.document OR NEW.valid IS DISTINCT FROM OLD.valid
     OR NEW.ruleset IS DISTINCT FROM OLD.ruleset OR NEW.version IS DISTINCT FROM OLD.version
     OR NEW.created_at IS DISTINCT FROM OLD.created_at OR NEW.created_by IS DISTINCT FROM OLD.created_by
     OR (OLD.published_at IS NOT NULL AND NEW.published_at IS DISTINCT FROM OLD.published_at) THEN
    RAISE EXCEPTION 'ruleset version %@% is immutable', OLD.ruleset, OLD.version;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER ruleset_versions_immutable BEFORE UPDATE OR DELETE ON ruleset_versions
  FOR EACH ROW EXECUTE FUNCTION ruleset_versions_immutable();

-- Deployments are versioned too: the highest version is in force; a rollback is a new version.
CREATE TABLE deployments (
  version     integer PRIMARY KEY CHECK (version > 0),
  spec        jsonb NOT NULL,
  comment     text,
  created_by  text NOT NULL DEFAULT 'system',
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER deployments_append_only BEFORE UPDATE OR DELETE ON deployments
  FOR EACH ROW EXECUTE FUNCTION forbid_change();

-- Named block / allow lists for the inList operator.
CREATE TABLE lists (
  name        text PRIMARY KEY CHECK (name ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
  kind        text NOT NULL CHECK (kind IN ('device', 'ip', 'card', 'email', 'customer', 'merchant', 'other')),
  description text NOT NULL DEFAULT '',
  revision    bigint NOT NULL DEFAULT 1,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE list_items (
  list      text NOT NULL REFERENCES lists (name) ON DELETE CASCADE,
  value     text NOT NULL,
  comment   text,
  added_by  text NOT NULL DEFAULT 'system',
  added_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (list, value)
);

-- Down Migration
DROP TABLE list_items;
DROP TABLE lists;
DROP TABLE deployments;
DROP TABLE ruleset_versions;
DROP FUNCTION ruleset_versions_immutable();
DROP TABLE rulesets;
