"""The training table: the feature matrix exported by the TypeScript feature store, joined by
TRANSACTION_ID with the raw columns the protocol needs (time, customer, amount).

The feature values come only from the export (the same code that serves them: no training/serving
skew); the raw files give the amount (the model's first input, the transaction's own field rather
than a feature) and the time and card used to split and to compute card precision.
"""
from __future__ import annotations

import glob
import os

import numpy as np
import pandas as pd

RAW_COLUMNS = ["TRANSACTION_ID", "TX_DATETIME", "CUSTOMER_ID", "TX_AMOUNT"]
# Never inputs: ids, the label and the simulator's label metadata.
NOT_FEATURES = {"TRANSACTION_ID", "TX_FRAUD", "TX_FRAUD_SCENARIO", "TX_DATETIME", "CUSTOMER_ID", "TERMINAL_ID", "TX_AMOUNT"}


def load_raw(data_dir: str) -> pd.DataFrame:
    files = sorted(glob.glob(os.path.join(data_dir, "*.csv.gz")))
    if not files:
        raise SystemExit(f"no *.csv.gz files in {data_dir}")
    raw = pd.concat([pd.read_csv(f, usecols=RAW_COLUMNS) for f in files], ignore_index=True)
    raw["TX_DATETIME"] = pd.to_datetime(raw.TX_DATETIME)
    return raw


def load_table(features_csv: str, data_dir: str) -> tuple[pd.DataFrame, list[str]]:
    """Returns the joined table and the exported feature names in file order."""
    features = pd.read_csv(features_csv, dtype={"TRANSACTION_ID": np.int64}, keep_default_na=True)
    names = [c for c in features.columns if c not in NOT_FEATURES]
    for c in names:
        features[c] = pd.to_numeric(features[c], errors="coerce").astype(np.float64)
    raw = load_raw(data_dir)
    table = features.merge(raw, on="TRANSACTION_ID", how="inner", validate="one_to_one")
    if len(table) != len(features):
        raise SystemExit(f"{len(features) - len(table)} exported transactions are not in {data_dir}")
    table = table.sort_values("TRANSACTION_ID", kind="stable").reset_index(drop=True)
    return table, names


def usable_features(train: pd.DataFrame, names: list[str]) -> list[str]:
    """Features that carry information in the training rows: a column that is always missing or
    constant there (no device, IP or country in this data set) cannot be learnt from."""
    keep = []
    for c in names:
        col = train[c]
        if col.notna().any() and col.nunique(dropna=False) > 1:
            keep.append(c)
    return keep


def matrix(table: pd.DataFrame, inputs: list[str]) -> np.ndarray:
    """float32, as the ONNX model receives it: training and parity use the very same values."""
    cols = ["TX_AMOUNT" if c == "amount" else c for c in inputs]
    return table[cols].to_numpy(dtype=np.float32)
