-- Up Migration
-- A simulation records everything needed to re-run it exactly: the history source, the candidate
-- and baseline (ruleset documents and model versions, resolved at start) and the feature definitions.
CREATE TABLE simulations (
  id            text PRIMARY KEY,
  status        text NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'failed', 'cancelled')),
  source        jsonb NOT NULL,
  candidate     jsonb NOT NULL,
  baseline      jsonb NOT NULL,
  feature_set   jsonb NOT NULL,
  from_ts       timestamptz NOT NULL,
  to_ts         timestamptz NOT NULL,
  chunks_total  integer NOT NULL,
  rows_done     bigint NOT NULL DEFAULT 0,
  -- Share (0–1) of the running chunk's time range already replayed: progress without counting rows first.
  current_fraction double precision NOT NULL DEFAULT 0,
  error         text,
  result        jsonb,
  created_by    text NOT NULL DEFAULT 'system',
  created_at    timestamptz NOT NULL DEFAULT now(),
  started_at    timestamptz,
  finished_at   timestamptz
);
CREATE INDEX simulations_created ON simulations (created_at DESC);

-- One row per finished chunk: a re-run chunk overwrites its own row, so totals never double count.
CREATE TABLE simulation_chunks (
  simulation_id text NOT NULL REFERENCES simulations (id) ON DELETE CASCADE,
  chunk         integer NOT NULL,
  counts        jsonb NOT NULL,
  finished_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (simulation_id, chunk)
);

-- Decisions that differ between candidate and baseline, for the paged list.
CREATE TABLE simulation_changes (
  simulation_id  text NOT NULL REFERENCES simulations (id) ON DELETE CASCADE,
  chunk          integer NOT NULL,
  transaction_id text NOT NULL,
  occurred_at    timestamptz NOT NULL,
  change         jsonb NOT NULL,
  PRIMARY KEY (simulation_id, transaction_id)
);
CREATE INDEX simulation_changes_page ON simulation_changes (simulation_id, occurred_at, transaction_id);

-- Down Migration
DROP TABLE simulation_changes;
DROP TABLE simulation_chunks;
DROP TABLE simulations;
