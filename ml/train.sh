#!/usr/bin/env bash
# Reproduces models/ from ../shared/data in one command:
#   1. the feature matrix, exported by the same TypeScript code that serves the features;
#   2. training, evaluation (handbook protocol + long split), ONNX + metadata + parity fixtures.
# Usage: ml/train.sh [DATA_DIR] [OUT_DIR]   (defaults: ../shared/data, models/)
#   FEATURES=ml/build/features.csv ml/train.sh   reuses an earlier export of the same range (it takes minutes).
# Python: a virtual environment in ml/.venv with the pinned ml/requirements.txt (Python 3.11).
set -euo pipefail
cd "$(dirname "$0")/.."
DATA="${1:-../shared/data}"
OUT="${2:-models}"
FROM=2018-05-08
TO=2018-08-14
mkdir -p ml/build
[ -x ml/.venv/bin/python ] || python3 -m venv ml/.venv
ml/.venv/bin/python -m pip install --quiet -r ml/requirements.txt
if [ -z "${FEATURES:-}" ]; then
  # History from April warms the 30-day windows (and the 7-day label delay) of the first training day.
  FEATURES=ml/build/features.csv
  npx fraudguard features export --data "$DATA" --from "$FROM" --to "$TO" --out "$FEATURES"
fi
ml/.venv/bin/python ml/train.py --features "$FEATURES" --data "$DATA" --out "$OUT" \
  --features-note "fraudguard features export --data DIR --from $FROM --to $TO (the TypeScript feature store)"
echo "models written to $OUT; check them with: node --import tsx --test test/ml/*.test.ts"
