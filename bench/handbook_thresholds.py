"""What the thresholds mean on the handbook file (docs/models.md, "What the thresholds mean"): for a `replay
--scores-out` file, the share of transactions flagged, precision and recall at each threshold, and by score
decile the mean predicted probability against the observed fraud rate, over the transactions from --from on.
Run with Debian's python: /usr/bin/python3 bench/handbook_thresholds.py HANDBOOK.csv.gz SCORES.csv
Prints one JSON line."""
import argparse
import json

import numpy as np
import pandas as pd

THRESHOLDS = [0.2, 0.5, 0.8, 0.95]

ap = argparse.ArgumentParser()
ap.add_argument("transactions")
ap.add_argument("scores")
ap.add_argument("--from", dest="start", default="2018-05-01")
a = ap.parse_args()
tx = pd.read_csv(a.transactions, usecols=["TRANSACTION_ID", "TX_DATETIME", "TX_FRAUD"])
scores = pd.read_csv(a.scores, usecols=["transaction_id", "score"])
df = tx.merge(scores.rename(columns={"transaction_id": "TRANSACTION_ID"}), on="TRANSACTION_ID")
df = df[pd.to_datetime(df.TX_DATETIME) >= a.start]
frauds = df.TX_FRAUD.sum()
thresholds = []
for t in THRESHOLDS:
    flagged = df.score >= t
    thresholds.append({
        "threshold": t,
        "flagged_share": round(float(flagged.mean()), 5),
        "precision": round(float(df.TX_FRAUD[flagged].mean()), 3),
        "recall": round(float(df.TX_FRAUD[flagged].sum() / frauds), 3),
    })
decile = np.minimum((df.score * 10).astype(int), 9)
by_decile = df.groupby(decile).agg(
    predicted=("score", "mean"), observed=("TX_FRAUD", "mean"), rows=("score", "size")
)
print(json.dumps({
    "bench": "handbook_thresholds",
    "rows": int(len(df)),
    "fraud_rate": round(float(df.TX_FRAUD.mean()), 5),
    "thresholds": thresholds,
    "deciles": [
        {
            "decile": int(d),
            "share": round(float(r.rows / len(df)), 5),
            "predicted": round(float(r.predicted), 3),
            "observed": round(float(r.observed), 3),
        }
        for d, r in by_decile.iterrows()
    ],
}))
