-- Up Migration
-- Registered model versions. A version is immutable once registered (its ONNX bytes are what every
-- decision naming it was scored with); it is only ever retired, so old decisions stay replayable.
CREATE TABLE models (
  version       text PRIMARY KEY,
  name          text NOT NULL,
  role          text NOT NULL CHECK (role ~ '^[a-z][a-z0-9_]{0,31}$'),
  -- The model's input, in order: the scorer builds the tensor from the feature vector in this order.
  feature_names text[] NOT NULL CHECK (cardinality(feature_names) > 0),
  metadata      jsonb NOT NULL,
  onnx          bytea NOT NULL,
  sha256        text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  -- Tree structure for reason codes (path contributions), when the model is a tree ensemble.
  explainer     jsonb,
  status        text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'retired')),
  created_at    timestamptz NOT NULL DEFAULT now(),
  retired_at    timestamptz
);
CREATE INDEX models_status ON models (status, created_at DESC);

-- Down Migration
DROP TABLE models;
