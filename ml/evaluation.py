"""The ULB handbook's evaluation protocol and metrics, reproduced so our figures compare with its tables.

References: Le Borgne et al., *Reproducible Machine Learning for Credit Card Fraud Detection —
Practical Handbook*, section 3.4 (get_train_test_set) and section 4.2 (card_precision_top_k).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score, roc_auc_score

DAY = pd.Timedelta(days=1)


@dataclass(frozen=True)
class Split:
    name: str
    train_start: pd.Timestamp
    train_days: int
    delay_days: int = 7
    test_days: int = 7

    @property
    def train_end(self) -> pd.Timestamp:  # inclusive last day
        return self.train_start + (self.train_days - 1) * DAY

    @property
    def test_start(self) -> pd.Timestamp:
        return self.train_start + (self.train_days + self.delay_days) * DAY

    @property
    def test_end(self) -> pd.Timestamp:
        return self.test_start + (self.test_days - 1) * DAY

    def describe(self) -> dict:
        return {"name": self.name, "train": [str(self.train_start.date()), str(self.train_end.date())],
                "delayDays": self.delay_days, "test": [str(self.test_start.date()), str(self.test_end.date())]}


def day_of(df: pd.DataFrame) -> pd.Series:
    return df.TX_DATETIME.dt.normalize()


def train_test(df: pd.DataFrame, split: Split, known_from: pd.Timestamp | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Training rows, and test rows minus the customers already known compromised.

    As the handbook's get_train_test_set: a customer counts as known compromised once one of their
    frauds falls in the training period or in the delay period up to the test day minus the delay
    (labels arrive late), and their later transactions are dropped from that test day: scoring a card
    already blocked says nothing. `known_from` widens the training period whose frauds count as known
    (default: the split's own training period).
    """
    day = day_of(df)
    train = df[(day >= split.train_start) & (day <= split.train_end)]
    start = known_from if known_from is not None else split.train_start
    known = set(df[(day >= start) & (day <= split.train_end) & (df.TX_FRAUD == 1)].CUSTOMER_ID)
    parts = []
    for i in range(split.test_days):
        test_day = split.test_start + i * DAY
        delay_day = split.train_end + i * DAY  # the handbook's start + delta_train + day - 1
        if i > 0:
            known |= set(df[(day == delay_day) & (df.TX_FRAUD == 1)].CUSTOMER_ID)
        rows = df[day == test_day]
        parts.append(rows[~rows.CUSTOMER_ID.isin(known)])
    return train, pd.concat(parts)


def card_precision_at_k(test: pd.DataFrame, scores: np.ndarray, k: int = 100) -> float:
    """Per test day: the share of compromised cards among the k cards with the highest score (a
    card's score and label are the max over its transactions that day); cards detected on an earlier
    day are removed from later days; the mean over days (the handbook's card_precision_top_k)."""
    frame = pd.DataFrame({"day": day_of(test).to_numpy(), "CUSTOMER_ID": test.CUSTOMER_ID.to_numpy(),
                          "TX_FRAUD": test.TX_FRAUD.to_numpy(), "score": scores})
    detected: set[int] = set()
    per_day = []
    for _, rows in frame.groupby("day", sort=True):
        rows = rows[~rows.CUSTOMER_ID.isin(detected)]
        cards = rows.groupby("CUSTOMER_ID")[["score", "TX_FRAUD"]].max()
        top = cards.sort_values("score", ascending=False, kind="stable").head(k)
        hits = top.index[top.TX_FRAUD == 1]
        per_day.append(len(hits) / k)
        detected.update(int(c) for c in hits)
    return float(np.mean(per_day))


def assess(test: pd.DataFrame, scores: np.ndarray) -> dict[str, float]:
    y = test.TX_FRAUD.to_numpy()
    return {"rocAuc": round(float(roc_auc_score(y, scores)), 4),
            "averagePrecision": round(float(average_precision_score(y, scores)), 4),
            "cardPrecisionAt100": round(card_precision_at_k(test, scores, 100), 4)}
