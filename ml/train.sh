#!/usr/bin/env bash
# Reproduces models/ from ../shared/data in one command:
#   1. the feature matrix, exported by the same TypeScript code that serves the features;
#   2. training, evaluation (handbook protocol + long split), ONNX + metadata + parity fixtures.
# Usage: ml/train.sh [DATA_DIR] [OUT_DIR]   (defaults: ../shared/data, models/)
set -euo pipefail
cd "$(dirname "$0")/.."
DATA="${1:-../shared/data}"
OUT="${2:-models}"
mkdir -p ml/build
python3 -m pip install --quiet -r ml/requirements.txt
# History from April warms the 30-day windows (and the 7-day label delay) of the first training day.
npx fraudguard features export --data "$DATA" --from 2018-05-08 --to 2018-08-14 --out ml/build/features.csv
python3 ml/train.py --features ml/build/features.csv --data "$DATA" --out "$OUT"
echo "models written to $OUT; check them with: node --import tsx --test test/ml/*.test.ts"
