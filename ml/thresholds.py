"""Decision thresholds suggested from the validation week's scores (labels known): a policy can
adopt them or pick its own trade-off from the recorded precision/recall/alert rate."""
from __future__ import annotations

import numpy as np

# Review: analysts' time is the constraint; one case in three should be a fraud.
REVIEW_PRECISION = 0.3
# Decline: acting without a human; nine in ten declines should be frauds.
DECLINE_PRECISION = 0.9


def _at(y: np.ndarray, s: np.ndarray, threshold: float) -> dict:
    flagged = s >= threshold
    tp = int((flagged & (y == 1)).sum())
    return {"score": round(float(threshold), 6), "precision": round(tp / max(int(flagged.sum()), 1), 4),
            "recall": round(tp / max(int(y.sum()), 1), 4), "alertRate": round(float(flagged.mean()), 5)}


def _lowest_with_precision(y: np.ndarray, s: np.ndarray, precision: float) -> float | None:
    """The lowest threshold at which every higher threshold also keeps the precision target
    (so the band above it is stable, not one lucky cut)."""
    order = np.argsort(-s, kind="stable")
    ys, ss = y[order], s[order]
    prec = np.cumsum(ys) / np.arange(1, len(ys) + 1)
    ok = prec >= precision
    if not ok[0]:
        return None
    first_bad = np.argmin(ok) if not ok.all() else len(ok)
    return float(ss[first_bad - 1])


def suggest_thresholds(y: np.ndarray, s: np.ndarray) -> dict:
    out = {"basis": f"validation week: lowest score keeping precision ≥ {REVIEW_PRECISION} (review) and ≥ {DECLINE_PRECISION} (decline) for every higher cut"}
    for name, target in (("review", REVIEW_PRECISION), ("decline", DECLINE_PRECISION)):
        t = _lowest_with_precision(y, s, target)
        out[name] = _at(y, s, t) if t is not None else None
    return out
