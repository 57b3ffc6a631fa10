"""Rows for the parity fixture: feature vectors (model inputs only, no ids, no raw rows) from the
validation week — frauds and genuine rows, with missing values — plus edge cases a live decision
meets: every feature missing (degraded store), a customer without history, zero amount."""
from __future__ import annotations

import numpy as np
import pandas as pd

from dataset import matrix


def parity_rows(test: pd.DataFrame, inputs: list[str], n: int = 200, seed: int = 11) -> np.ndarray:
    rng = np.random.default_rng(seed)
    frauds = test.index[test.TX_FRAUD == 1].to_numpy()
    genuine = test.index[test.TX_FRAUD == 0].to_numpy()
    with_missing = test.index[test[inputs[1:]].isna().any(axis=1)].to_numpy()
    pick = np.concatenate([rng.choice(frauds, min(60, len(frauds)), replace=False),
                           rng.choice(with_missing, min(20, len(with_missing)), replace=False) if len(with_missing) else [],
                           rng.choice(genuine, n - 4 - min(60, len(frauds)) - min(20, len(with_missing)), replace=False)]).astype(int)
    x = matrix(test.loc[np.unique(pick)], inputs)
    degraded = np.full((1, len(inputs)), np.nan, dtype=np.float32)
    degraded[0, 0] = 120.0
    no_history = x[:1].copy()
    no_history[0, 1:] = np.nan
    zero = x[:1].copy()
    zero[0, 0] = 0.0
    huge = x[:1].copy()
    huge[0, 0] = 5000.0
    return np.concatenate([x, degraded, no_history, zero, huge]).astype(np.float32)
