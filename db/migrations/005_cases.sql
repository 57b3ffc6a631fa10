-- Up Migration
-- Review cases: a mirror of each case's state machine, which lives in its transaction workflow.
-- The workflow is the truth; these rows exist for the queue and the case screen (queries, filters).
CREATE TABLE cases (
  id             text PRIMARY KEY,
  transaction_id text NOT NULL UNIQUE REFERENCES transactions (id),
  workflow_id    text NOT NULL,
  status         text NOT NULL CHECK (status IN ('open', 'claimed', 'escalated', 'resolved_approved', 'resolved_declined')),
  tier           text NOT NULL CHECK (tier IN ('L1', 'L2', 'lead')),
  claimed_by     text,
  claimed_at     timestamptz,
  sla_due_at     timestamptz,
  overdue        boolean NOT NULL DEFAULT false,
  escalations    integer NOT NULL DEFAULT 0,
  resolution     text CHECK (resolution IN ('approved', 'declined')),
  resolved_by    text,
  resolved_at    timestamptz,
  reason_code    text,
  opened_at      timestamptz NOT NULL,
  tier_since     timestamptz NOT NULL,
  -- The sequence number of the last transition mirrored: writes arriving out of order never go back in time.
  seq            integer NOT NULL,
  updated_at     timestamptz NOT NULL DEFAULT now()
);
-- The queue: unresolved cases by tier, most urgent first.
CREATE INDEX cases_queue ON cases (tier, sla_due_at) WHERE resolution IS NULL;
CREATE INDEX cases_status ON cases (status, opened_at);

-- Every transition of every case, with who and when: the case's timeline.
CREATE TABLE case_events (
  id         bigserial PRIMARY KEY,
  case_id    text NOT NULL REFERENCES cases (id),
  seq        integer NOT NULL,
  type       text NOT NULL,
  from_state text,
  to_state   text NOT NULL,
  actor      text NOT NULL,
  at         timestamptz NOT NULL,
  payload    jsonb NOT NULL DEFAULT '{}',
  recorded_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (case_id, seq)
);
CREATE TRIGGER case_events_append_only BEFORE UPDATE OR DELETE ON case_events
  FOR EACH ROW EXECUTE FUNCTION forbid_change();

-- One row per notification and channel. The idempotency key is stable per event, so a retried
-- activity or workflow finds the row and never sends a delivered notification again.
CREATE TABLE notification_deliveries (
  id              bigserial PRIMARY KEY,
  idempotency_key text NOT NULL,
  channel         text NOT NULL CHECK (channel IN ('webhook', 'email', 'slack')),
  event_type      text NOT NULL,
  transaction_id  text NOT NULL,
  case_id         text,
  recipient       text NOT NULL,
  status          text NOT NULL CHECK (status IN ('pending', 'delivered', 'dead_letter')),
  attempts        integer NOT NULL DEFAULT 0,
  last_error      text,
  payload         jsonb NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  delivered_at    timestamptz,
  UNIQUE (idempotency_key, channel)
);
CREATE INDEX notification_deliveries_dead ON notification_deliveries (created_at) WHERE status = 'dead_letter';
CREATE INDEX notification_deliveries_tx ON notification_deliveries (transaction_id);

-- Down Migration
DROP TABLE notification_deliveries;
DROP TABLE case_events;
DROP TABLE cases;
