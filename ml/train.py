"""One command: feature matrix (exported by the TypeScript feature store) → evaluated models → ONNX
+ metadata + parity fixtures under --out.

    python3 ml/train.py --features build/features.csv --data ../shared/data --out models/

Protocols (ml/evaluation.py): the handbook's baseline (train one week, 7-day delay, test one week)
and a longer split of ours with the same test week. The models written are those of the long split.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from dataset import load_table, matrix, usable_features  # noqa: E402
from evaluation import Split, assess, train_test  # noqa: E402
from models import GBDT_PARAMS, IFOREST_PARAMS, SMALL_TRAINING_SET, anomaly01, anomaly_scale, fit_gbdt, fit_iforest  # noqa: E402
from onnx_export import INPUT, gbdt_to_onnx, iforest_to_onnx, tree_sidecar  # noqa: E402
from thresholds import suggest_thresholds  # noqa: E402
from parity import parity_rows  # noqa: E402

BASELINE = Split("handbook-baseline", pd.Timestamp("2018-07-25"), 7)
# Starts once the longest window (terminal 30 days, delayed 7) has a full history in the data.
LONG = Split("long", pd.Timestamp("2018-05-08"), 85)

MISSING = {"policy": "nan", "description": "A missing feature (null: no history, or the store degraded) is passed as NaN. "
           "The GBDT routes NaN along the default branch it learnt per split (a feature never missing in training is compared as 0); "
           "the anomaly model imputes the training median inside the graph."}


def versions() -> dict[str, str]:
    import lightgbm, onnx, skl2onnx, onnxmltools, sklearn
    return {"lightgbm": lightgbm.__version__, "scikit-learn": sklearn.__version__, "onnx": onnx.__version__,
            "skl2onnx": skl2onnx.__version__, "onnxmltools": onnxmltools.__version__, "pandas": pd.__version__, "numpy": np.__version__}


def evaluate(table: pd.DataFrame, names: list[str], split: Split, gbdt_overrides: dict, table_a: pd.DataFrame) -> dict:
    train, test = train_test(table, split)
    inputs = ["amount"] + usable_features(train, names)
    y = train.TX_FRAUD.to_numpy()
    x = matrix(train, inputs)
    gbdt = fit_gbdt(x, y, **gbdt_overrides)
    forest = fit_iforest(x)
    lo, hi = anomaly_scale(forest, x)
    result = {"split": split.describe(), "trainRows": len(train), "trainFrauds": int(y.sum()), "testRows": len(test),
              "testFrauds": int(test.TX_FRAUD.sum()), "inputs": inputs, "metrics": {}}
    for label, rows in [("test", test), ("handbookTestSet", table_a)]:
        xt = matrix(rows, inputs)
        g = gbdt.predict_proba(xt)[:, 1]
        a = anomaly01(forest, xt, lo, hi)
        result["metrics"][label] = {"rows": len(rows), "gbdt": assess(rows, g), "anomaly": assess(rows, a),
                                    "gbdt0.9+anomaly0.1": assess(rows, 0.9 * g + 0.1 * a)}
        if label == "test":
            result["_scores"] = (test, g, a)
    print(json.dumps({k: v for k, v in result.items() if not k.startswith("_") and k != "inputs"}), flush=True)
    result["_models"] = (gbdt, forest, lo, hi, inputs)
    return result


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_models(out: str, long: dict, baseline: dict, source: dict) -> None:
    gbdt, forest, lo, hi, inputs = long["_models"]
    test, g, a = long["_scores"]
    end = LONG.train_end.strftime("%Y%m%d")
    os.makedirs(os.path.join(out, "parity"), exist_ok=True)
    fixture_x = parity_rows(test, inputs)
    training = {"split": LONG.describe(), "rows": long["trainRows"], "frauds": long["trainFrauds"], "features": source, "libraries": versions()}
    evaluation = {"protocol": "ULB handbook: train, 7-day delay, test one week; test excludes customers known compromised",
                  "long": long["metrics"], "handbookBaseline": baseline["metrics"]}
    specs = [
        dict(role="gbdt", name="fraudguard-gbdt", model=gbdt_to_onnx(gbdt, len(inputs)), output="probabilities", column=1,
             scores=g, expect=gbdt.predict_proba(fixture_x)[:, 1], params={**GBDT_PARAMS}, weight=1.0,
             reasons={"method": "saabas-path-contributions"}, scaling=None),
        dict(role="anomaly", name="fraudguard-anomaly", model=iforest_to_onnx(forest, len(inputs), lo, hi), output="score", column=0,
             scores=a, expect=anomaly01(forest, fixture_x, lo, hi), params={**IFOREST_PARAMS, "imputer": "median"}, weight=0.0,
             reasons={"method": "occlusion", "baseline": "each feature in turn set missing (NaN → training median), one batched run"},
             scaling={"kind": "isolation-score-linear", "score": "s = 2^(-E[h(x)]/c(n)) (Liu et al. 2008)",
                      "map": "clip((s - lo) / (hi - lo), 0, 1)", "lo": lo, "hi": hi, "lo_is": "training median of s", "hi_is": "training 99.99th percentile of s"}),
    ]
    for spec in specs:
        data = spec["model"].SerializeToString()
        # Content-addressed: the training period and the ONNX file's digest. A retrained model never
        # reuses a registered version (versions are immutable); the same run reproduces the same name.
        version = f"{spec['role']}-{end}-{sha256(data)[:8]}"
        if spec["role"] == "gbdt":
            spec["reasons"]["file"] = f"{version}.trees.json"
        with open(os.path.join(out, f"{version}.onnx"), "wb") as fh:
            fh.write(data)
        if spec["role"] == "gbdt":
            with open(os.path.join(out, spec["reasons"]["file"]), "w") as fh:
                json.dump(tree_sidecar(gbdt), fh, separators=(",", ":"))
        meta = {
            "name": spec["name"], "version": version, "role": spec["role"],
            "onnx": {"file": f"{version}.onnx", "sha256": sha256(data), "input": INPUT, "output": spec["output"], "outputColumn": spec["column"]},
            "featureNames": inputs, "missingValues": MISSING, "scaling": spec["scaling"],
            "combine": {"weight": spec["weight"], "why": "weighted mean of the arm's model scores; the anomaly score lowered every metric on the test week when mixed in (see evaluation), so by default it is a rule fact (score.anomaly), not part of the combined score"},
            "training": {**training, "params": spec["params"]},
            "metrics": {k: v[spec["role"]] for k, v in long["metrics"].items()},
            "evaluation": evaluation,
            "thresholds": suggest_thresholds(test.TX_FRAUD.to_numpy(), spec["scores"]),
            "reasons": spec["reasons"],
        }
        with open(os.path.join(out, f"{version}.json"), "w") as fh:
            json.dump(meta, fh, indent=2)
            fh.write("\n")
        with open(os.path.join(out, "parity", f"{version}.json"), "w") as fh:
            rows = [[None if np.isnan(v) else float(v) for v in r] for r in fixture_x]
            json.dump({"version": version, "featureNames": inputs, "rows": rows, "expected": [float(p) for p in spec["expect"]]}, fh)
        print(f"wrote {version}: {len(data)} bytes", flush=True)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--features", required=True, help="CSV from `fraudguard features export`")
    p.add_argument("--data", default=os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data"), help="the raw monthly CSV files")
    p.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "models"))
    p.add_argument("--features-note", default="fraudguard features export (the TypeScript feature store)",
                   help="where the feature matrix came from, recorded in the metadata")
    args = p.parse_args()
    with open(args.features, "rb") as fh:
        source = {"file": os.path.basename(args.features), "sha256": hashlib.sha256(fh.read()).hexdigest(), "producedBy": args.features_note}
    table, names = load_table(args.features, args.data)
    print(f"{len(table)} transactions, {len(names)} exported features", flush=True)
    _, table_a = train_test(table, BASELINE)
    baseline = evaluate(table, names, BASELINE, SMALL_TRAINING_SET, table_a)
    long = evaluate(table, names, LONG, {}, table_a)
    write_models(args.out, long, baseline, source)
    report = {"handbookBaseline": {k: v for k, v in baseline.items() if not k.startswith("_")},
              "long": {k: v for k, v in long.items() if not k.startswith("_")}}
    with open(os.path.join(args.out, "training-report.json"), "w") as fh:
        json.dump(report, fh, indent=2)
        fh.write("\n")


if __name__ == "__main__":
    main()
