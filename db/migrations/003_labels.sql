-- Up Migration
-- What became known about a transaction, and when: analyst outcomes, chargebacks, client reports.
-- Append-only; the latest label of a transaction is its truth. known_at drives point-in-time features.
CREATE TABLE labels (
  id             bigserial PRIMARY KEY,
  transaction_id text NOT NULL,
  fraud          boolean NOT NULL,
  source         text NOT NULL CHECK (source IN ('analyst', 'chargeback', 'client', 'import')),
  known_at       timestamptz NOT NULL,
  reason         text,
  created_by     text NOT NULL DEFAULT 'system',
  created_at     timestamptz NOT NULL DEFAULT now(),
  idempotency_key text NOT NULL UNIQUE
);
CREATE INDEX labels_tx ON labels (transaction_id, id DESC);
CREATE INDEX labels_known ON labels (known_at);
CREATE TRIGGER labels_append_only BEFORE UPDATE OR DELETE ON labels
  FOR EACH ROW EXECUTE FUNCTION forbid_change();

-- Down Migration
DROP TABLE labels;
