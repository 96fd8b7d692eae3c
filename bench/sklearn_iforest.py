"""Reference peer for `fraudwatch bench models`: scikit-learn's IsolationForest.score_samples on the same shape
(100 trees, 256 samples, 1,000,000 rows x 15 standard-normal features), one thread.
Run with Debian's python: /usr/bin/python3 bench/sklearn_iforest.py   (apt-get install python3-sklearn)
Prints one JSON line."""
import json
import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np
from sklearn.ensemble import IsolationForest

rows = int(os.environ.get("ROWS", "1000000"))
rng = np.random.default_rng(1)
X = rng.standard_normal((rows, 15))
model = IsolationForest(n_estimators=100, max_samples=256, random_state=1, n_jobs=1).fit(X)
start = time.perf_counter()
model.score_samples(X)
elapsed = time.perf_counter() - start
print(json.dumps({"bench": "sklearn_iforest", "rows": rows, "score_rows_per_s": round(rows / elapsed)}))
