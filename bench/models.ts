/**
 * Model benchmark: isolation forest and GBDT scoring speed (batch, one thread), single-row `predict` on the
 * engine's vector, and GBDT training time, on synthetic data. Prints one JSON line.
 * Run: node --import tsx bench/models.ts [--rows N] [--train-rows N]   (or: fraudwatch bench models --json)
 */
import { pathToFileURL } from 'node:url';
import { FEATURE_NAMES } from '../src/engine/features/catalog.ts';
import { fitGbdt } from '../src/models/gbdt.ts';
import { fitIsolationForest } from '../src/models/isolation-forest.ts';
import { Random } from '../src/simulator/random.ts';

export interface ModelsBenchOptions {
  /** Rows scored by each model (default 1,000,000). */
  rows?: number;
  /** Rows × 30 features the GBDT trains on (default 1,000,000). */
  trainRows?: number;
}

export interface ModelsBenchFigures {
  bench: 'models';
  rows: number;
  iforest_score_rows_per_s: number;
  iforest_predict_per_s: number;
  gbdt_trees: number;
  gbdt_score_rows_per_s: number;
  gbdt_predict_per_s: number;
  gbdt_train_rows: number;
  gbdt_train_s: number;
  node: string;
}

/** Standard-normal features; the label is a logistic function of the first five (about 4 % positives). */
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

function perSecond(n: number, run: () => void): number {
  const t0 = performance.now();
  run();
  return Math.round(n / ((performance.now() - t0) / 1000));
}

/** Single-row scoring of `count` rows through the engine slot (each row copied into a full feature vector). */
function predictRate(X: Float64Array, n: number, d: number, predict: (v: Float64Array) => number): number {
  const vector = new Float64Array(FEATURE_NAMES.length);
  const count = Math.min(n, 200_000);
  let sink = 0;
  const rate = perSecond(count, () => {
    for (let i = 0; i < count; i++) {
      vector.set(X.subarray(i * d, i * d + d));
      sink += predict(vector);
    }
  });
  if (Number.isNaN(sink)) throw new Error('a model scored NaN');
  return rate;
}

export function runModelsBench(options: ModelsBenchOptions = {}): ModelsBenchFigures {
  const n = options.rows ?? 1_000_000;
  const trainRows = options.trainRows ?? 1_000_000;
  // Isolation forest: 100 trees, 256 samples, n rows x 15 features
  const forestData = matrix(n, 15, 1);
  const forest = fitIsolationForest(forestData.X, n, 15, {
    trees: 100,
    sampleSize: 256,
    seed: 1,
    featureNames: FEATURE_NAMES.slice(0, 15),
  });
  forest.predictBatch(forestData.X, Math.min(n, 20_000)); // let the JIT optimise before timing
  const forestRate = perSecond(n, () => forest.predictBatch(forestData.X, n));
  const forestPredict = predictRate(forestData.X, n, 15, (v) => forest.predict(v));
  // GBDT: train on trainRows x 30 features, 200 trees of depth 6, then score n other rows
  const trainData = matrix(trainRows, 30, 2);
  const t0 = performance.now();
  const gbdt = fitGbdt(trainData.X, trainData.y, trainRows, 30, {
    rounds: 200,
    maxDepth: 6,
    learningRate: 0.1,
    featureNames: FEATURE_NAMES.slice(0, 30),
  });
  const trainSeconds = (performance.now() - t0) / 1000;
  const scoreData = matrix(n, 30, 3);
  gbdt.predictBatch(scoreData.X, Math.min(n, 20_000));
  const gbdtRate = perSecond(n, () => gbdt.predictBatch(scoreData.X, n));
  const gbdtPredict = predictRate(scoreData.X, n, 30, (v) => gbdt.predict(v));
  return {
    bench: 'models',
    rows: n,
    iforest_score_rows_per_s: forestRate,
    iforest_predict_per_s: forestPredict,
    gbdt_trees: gbdt.trees,
    gbdt_score_rows_per_s: gbdtRate,
    gbdt_predict_per_s: gbdtPredict,
    gbdt_train_rows: trainRows,
    gbdt_train_s: Number(trainSeconds.toFixed(1)),
    node: process.version,
  };
}

function positiveFlag(args: string[], flag: string): number | undefined {
  const at = args.indexOf(flag);
  if (at < 0) return undefined;
  const value = Number(args[at + 1]);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${flag} needs a positive integer`);
  return value;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const figures = runModelsBench({
    rows: positiveFlag(args, '--rows'),
    trainRows: positiveFlag(args, '--train-rows'),
  });
  console.log(JSON.stringify(figures));
}
