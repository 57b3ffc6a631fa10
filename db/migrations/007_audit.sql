-- Up Migration
-- Who changed what, when: append-only and hash-chained. Each row's hash is SHA-256 over the previous
-- row's hash and the canonical JSON of the row (activities/pg/audit-repository.ts computes both), so
-- editing or deleting a past entry breaks the chain at that entry, which `fraudguard audit verify` reports.
CREATE TABLE audit_log (
  seq        bigint PRIMARY KEY CHECK (seq > 0),
  -- ISO-8601 text, exactly as hashed (a timestamptz would round-trip with another spelling).
  at         text NOT NULL,
  actor      text NOT NULL,
  action     text NOT NULL,
  target     text,
  status     integer,
  request    jsonb,
  before     jsonb,
  after      jsonb,
  prev_hash  text NOT NULL,
  hash       text NOT NULL UNIQUE
);
CREATE INDEX audit_log_target ON audit_log (target, seq);

-- The database refuses to rewrite history (forbid_change is 001's append-only trigger function); only a
-- superuser disabling the trigger could, and the chain shows it.
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION forbid_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION forbid_change();

-- Down Migration
DROP TABLE audit_log;
