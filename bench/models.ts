/**
 * Model benchmark: isolation forest and GBDT scoring speed (batch, one thread), single-row `predict` latency on
 * the engine's vector, and GBDT training time, on synthetic data. Prints one JSON line.
 * Run: npx fraudwatch bench models --json [--rows N]
 */
import { FEATURE_NAMES } from '../src/engine/features/catalog.ts';
import { fitGbdt } from '../src/models/gbdt.ts';
import { fitIsolationForest } from '../src/models/isolation-forest.ts';
import { Random } from '../src/simulator/random.ts';

export interface ModelsBenchOptions {
  rows: number;
  trainRows: number;
}

function matrix(n: number, d: number, seed: number): { X: Float64Array; y: Uint8Array } {
  const rng = new Random(seed);
  const X = new Float64Array(n * d);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let z = -4;
    for (let f = 0; f < d; f++) {
      const v = rng.normal();
      X[i * d + f] = v;
      if (f < 5) z += 0.8 * v;
    }
    y[i] = rng.next() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
  }
  return { X, y };
}

function rate(n: number, run: () => void): number {
  const t0 = performance.now();
  run();
  return Math.round(n / ((performance.now() - t0) / 1000));
}

export function runModelsBench(options: ModelsBenchOptions): Record<string, number | string> {
  const n = options.rows;
  // Isolation forest: 100 trees, 256 samples, n rows x 15 features
  const iforestData = matrix(n, 15, 1);
  const iforest = fitIsolationForest(iforestData.X, n, 15, {
    trees: 100,
    sampleSize: 256,
    seed: 1,
    featureNames: FEATURE_NAMES.slice(0, 15),
  });
  const iforestRate = rate(n, () => iforest.scoreBatch(iforestData.X, n));
  const vector = new Float64Array(FEATURE_NAMES.length);
  const single = 200_000;
  const iforestPredict = rate(single, () => {
    for (let i = 0; i < single; i++) {
      vector.set(iforestData.X.subarray((i % n) * 15, (i % n) * 15 + 15));
      iforest.predict(vector);
    }
  });
  // GBDT: train on trainRows x 30 features, 200 trees of depth 6, then score n rows
  const gbdtData = matrix(options.trainRows, 30, 2);
  const t0 = performance.now();
  const gbdt = fitGbdt(gbdtData.X, gbdtData.y, options.trainRows, 30, {
    rounds: 200,
    maxDepth: 6,
    learningRate: 0.1,
    featureNames: FEATURE_NAMES.slice(0, 30),
  });
  const trainSeconds = (performance.now() - t0) / 1000;
  const scoreData = matrix(n, 30, 3);
  const gbdtRate = rate(n, () => gbdt.predictBatch(scoreData.X, n));
  const gbdtPredict = rate(single, () => {
    for (let i = 0; i < single; i++) {
      vector.set(scoreData.X.subarray((i % n) * 30, (i % n) * 30 + 30));
      gbdt.predict(vector);
    }
  });
  return {
    bench: 'models',
    rows: n,
    iforest_score_rows_per_s: iforestRate,
    iforest_predict_per_s: iforestPredict,
    gbdt_trees: gbdt.trees,
    gbdt_score_rows_per_s: gbdtRate,
    gbdt_predict_per_s: gbdtPredict,
    gbdt_train_rows: options.trainRows,
    gbdt_train_s: Number(trainSeconds.toFixed(1)),
    node: process.version,
  };
}
