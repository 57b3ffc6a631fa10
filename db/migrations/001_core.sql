-- Up Migration
-- Transactions as received: amount kept exact (NUMERIC), the raw body kept for replay.
CREATE TABLE transactions (
  id            text PRIMARY KEY,
  occurred_at   timestamptz NOT NULL,
  amount        numeric(21, 6) NOT NULL CHECK (amount > 0),
  currency      char(3) NOT NULL,
  customer_id   text NOT NULL,
  merchant_id   text NOT NULL,
  body          jsonb NOT NULL,
  received_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX transactions_customer_time ON transactions (customer_id, occurred_at);
CREATE INDEX transactions_time ON transactions (occurred_at);

-- One row per transaction and arm: the acted-on decision (shadow = false) and the shadow arms' decisions.
CREATE TABLE decisions (
  transaction_id  text NOT NULL REFERENCES transactions (id),
  arm             text NOT NULL,
  shadow          boolean NOT NULL DEFAULT false,
  decision        text NOT NULL CHECK (decision IN ('APPROVE', 'REVIEW', 'DECLINE')),
  score           double precision,
  reasons         jsonb NOT NULL,
  fired_rules     jsonb NOT NULL DEFAULT '[]',
  features        jsonb NOT NULL DEFAULT '{}',
  scores          jsonb NOT NULL DEFAULT '{}',
  ruleset_version text NOT NULL,
  model_version   text,
  deployment_version integer,
  latency_ms      double precision NOT NULL,
  degraded        boolean NOT NULL DEFAULT false,
  workflow_id     text NOT NULL,
  decided_at      timestamptz NOT NULL,
  recorded_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (transaction_id, arm)
);
-- At most one acted-on decision per transaction, whatever retries happen.
CREATE UNIQUE INDEX decisions_one_live ON decisions (transaction_id) WHERE NOT shadow;
CREATE INDEX decisions_time ON decisions (decided_at);

-- Append-only history of what happened to a transaction.
CREATE TABLE decision_events (
  id             bigserial PRIMARY KEY,
  transaction_id text NOT NULL REFERENCES transactions (id),
  type           text NOT NULL,
  idempotency_key text NOT NULL UNIQUE,
  payload        jsonb NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX decision_events_tx ON decision_events (transaction_id, id);

CREATE FUNCTION forbid_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END $$;
CREATE TRIGGER decision_events_append_only BEFORE UPDATE OR DELETE ON decision_events
  FOR EACH ROW EXECUTE FUNCTION forbid_change();

-- Down Migration
DROP TABLE decision_events;
DROP FUNCTION forbid_change();
DROP TABLE decisions;
DROP TABLE transactions;
