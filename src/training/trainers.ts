/**
 * How fraudwatch trains its two models from the feature vectors the engine computed: which columns each model
 * sees, how the imbalanced training set is balanced, and the boosting parameters. Used by replay and train.
 */
import { F, FEATURE_COUNT, FEATURE_NAMES } from '../engine/features/catalog.ts';
import type { ScoringModel } from '../engine/model.ts';
import { fitLogistic } from '../models/calibration.ts';
import { buildDriftProfile } from '../models/drift-profile.ts';
import { fitGbdt, type Gbdt } from '../models/gbdt.ts';
import { fitIsolationForest, IsolationForest, type TrainingInfo } from '../models/isolation-forest.ts';
import { averagePrecision, rocAuc } from '../models/metrics.ts';
import { newModelVersion } from './model-files.ts';

/**
 * What the anomaly model looks at: the amount against the account's own habit and recent means, its pace against
 * its habit, novelty and place, and the merchant's recent fraud labels. Ratios to the account's own history
 * rather than raw sums and counts, so it isolates unusual behaviour, not a large customer.
 */
export const IFOREST_FEATURES = [
  'amount_log',
  'amount_ratio_habit',
  'amount_zscore_habit',
  'amount_ratio_mean_7d',
  'account_pace_vs_habit',
  'account_count_1h',
  'is_new_device',
  'is_new_country',
  'distance_from_home_km',
  'merchant_fraud_share_1d',
  'merchant_fraud_share_7d',
  'merchant_fraud_share_30d',
  'merchant_fraud_labels_7d',
] as const;

/**
 * Engine columns the GBDT is not fitted on: the anomaly score enters once, in the final map (calibrated()). The
 * forest's score summarises columns the trees already see, and as one more tree input it ranked worse on two of
 * three datasets (docs/models.md, "The learned combination"). The rule score stays a tree input: the rules
 * cross features in ways the trees would have to find.
 */
const NOT_GBDT_INPUTS = [F.anomalyScore];

const MIN_POSITIVES = 20;
const MAX_NEGATIVES = 60_000;

function columns(X: Float64Array, n: number, names: readonly string[]): Float64Array {
  const idx = names.map((name) => FEATURE_NAMES.indexOf(name));
  const out = new Float64Array(n * names.length);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < idx.length; c++) out[i * idx.length + c] = X[i * FEATURE_COUNT + idx[c]!]!;
  }
  return out;
}

/** An isolation forest on rows of engine feature vectors (unlabelled). */
export function trainIsolationForest(
  X: Float64Array,
  n: number,
  seed: number,
  training?: TrainingInfo,
): IsolationForest {
  const names = [...IFOREST_FEATURES];
  const model = fitIsolationForest(columns(X, n, names), n, names.length, {
    trees: 100,
    sampleSize: 256,
    seed,
    featureNames: names,
    training: training ?? { rows: n },
    version: newModelVersion('iforest'),
  });
  return model.withDriftProfile(profileOf(model, X, n));
}

/**
 * Boosted trees on labelled engine feature vectors in time order. The last fifth (the most recent) is the
 * early-stopping validation set. Negatives beyond MAX_NEGATIVES are thinned evenly; the positive weight, the
 * fourth root of the kept imbalance, restores a little of the balance: the square root ranked worse on the
 * handbook file and the large simulation, no weight at all on the small one (docs/models.md, "The training
 * recipe"). Returns null with too few frauds to learn from.
 */
export function trainGbdt(
  X: Float64Array,
  y: Uint8Array,
  n: number,
  seed: number,
  training?: TrainingInfo,
): Gbdt | null {
  let positives = 0;
  for (let i = 0; i < n; i++) positives += y[i]!;
  if (positives < MIN_POSITIVES) return null;
  const d = FEATURE_COUNT;
  const negatives = n - positives;
  const keepEvery = Math.max(1, Math.ceil(negatives / MAX_NEGATIVES));
  const kept: number[] = [];
  let seenNegatives = 0;
  for (let i = 0; i < n; i++) if (y[i] || seenNegatives++ % keepEvery === 0) kept.push(i);
  const m = kept.length;
  const split = Math.floor(m * 0.8);
  const take = (from: number, to: number): { X: Float64Array; y: Uint8Array; n: number } => {
    const rows = to - from;
    const out = new Float64Array(rows * d);
    const labels = new Uint8Array(rows);
    for (let r = 0; r < rows; r++) {
      const i = kept[from + r]!;
      out.set(X.subarray(i * d, (i + 1) * d), r * d);
      labels[r] = y[i]!;
    }
    return { X: out, y: labels, n: rows };
  };
  const train = take(0, split);
  // NaN in every training row: no bin, so no tree splits on it (the validation rows keep it for the map)
  for (let r = 0; r < train.n; r++) for (const c of NOT_GBDT_INPUTS) train.X[r * d + c] = NaN;
  const validation = take(split, m);
  const keptNegatives = m - positives;
  const model = fitGbdt(train.X, train.y, train.n, d, {
    rounds: 100,
    learningRate: 0.1,
    maxDepth: 5,
    minChildWeight: 1,
    lambda: 1,
    rowSubsample: 0.8,
    colSubsample: 0.8,
    scalePosWeight: Math.min(20, Math.sqrt(Math.sqrt(keptNegatives / positives))),
    earlyStoppingRounds: 15,
    validation,
    seed,
    featureNames: FEATURE_NAMES,
    training: training ?? { rows: n, positives },
    version: newModelVersion('gbdt'),
  });
  const final = calibrated(model, validation, keepEvery);
  return final.withDriftProfile(profileOf(final, X, n));
}

/** Rows of the training window a drift profile is built from (evenly spaced: the whole window, not its end). */
const PROFILE_ROWS = 50_000;

/** The distribution of a trained model's inputs and of its scores over the engine vectors it was trained on. */
function profileOf(
  model: ScoringModel & { featureNames: readonly string[] },
  X: Float64Array,
  n: number,
): ReturnType<typeof buildDriftProfile> {
  const d = FEATURE_COUNT;
  const step = Math.max(1, Math.ceil(n / PROFILE_ROWS));
  const names = model.featureNames;
  const idx = names.map((name) => FEATURE_NAMES.indexOf(name));
  const m = Math.ceil(n / step);
  const rows = new Float64Array(m * names.length);
  const scores = new Float64Array(m);
  for (let r = 0, i = 0; i < n; i += step, r++) {
    const vector = X.subarray(i * d, (i + 1) * d);
    for (let c = 0; c < idx.length; c++) rows[r * idx.length + c] = vector[idx[c]!]!;
    scores[r] = model.predict(vector);
  }
  return buildDriftProfile(rows, m, names.length, names, scores);
}

/** What the final logistic map combines: the GBDT's margin, then the anomaly and rule scores. */
const CALIBRATION_INPUTS = ['margin', 'anomaly_score', 'rule_score'];

/**
 * Fits the map from the GBDT's margin, the anomaly score and the rule score to a probability on the
 * validation rows (the most recent fifth, later than every training row), each kept negative weighing as many
 * as were thinned for it, so probabilities refer to the real class mix (calibration.ts).
 */
function calibrated(
  model: Gbdt,
  validation: { X: Float64Array; y: Uint8Array; n: number },
  negativeWeight: number,
): Gbdt {
  const d = FEATURE_COUNT;
  const k = CALIBRATION_INPUTS.length;
  const columns = CALIBRATION_INPUTS.slice(1).map((name) => FEATURE_NAMES.indexOf(name));
  const inputs = new Float64Array(validation.n * k);
  const weights = new Float64Array(validation.n);
  for (let i = 0; i < validation.n; i++) {
    inputs[i * k] = model.marginRow(validation.X, i * d);
    for (let j = 0; j < columns.length; j++) {
      const v = validation.X[i * d + columns[j]!]!;
      inputs[i * k + 1 + j] = Number.isNaN(v) ? 0 : v;
    }
    weights[i] = validation.y[i] ? 1 : negativeWeight;
  }
  const map = fitLogistic(inputs, validation.n, k, validation.y, weights);
  return model.withCalibration({ inputs: CALIBRATION_INPUTS, ...map });
}

/**
 * Writes the anomaly model's score into the `anomaly_score` column of n engine vectors (NaN without one), so a
 * GBDT learns from the scores of the anomaly model it will be used with, not the one in force when they were
 * computed.
 */
export function withAnomalyScores(X: Float64Array, n: number, anomaly: ScoringModel | null): void {
  const d = FEATURE_COUNT;
  for (let i = 0; i < n; i++) {
    X[i * d + F.anomalyScore] = anomaly === null ? NaN : anomaly.predict(X.subarray(i * d, (i + 1) * d));
  }
}

/**
 * The isolation forest with the metrics of how it ranks labelled rows whose `anomaly_score` column holds its
 * scores (withAnomalyScores): it never saw the labels, so every labelled row is held out from it. A metric a
 * one-class set cannot give is left out.
 */
export function withLabelledMetrics(
  model: IsolationForest,
  X: Float64Array,
  y: Uint8Array,
  n: number,
): IsolationForest {
  const d = FEATURE_COUNT;
  const scores = new Float64Array(n);
  for (let i = 0; i < n; i++) scores[i] = X[i * d + F.anomalyScore]!;
  const labels = y.subarray(0, n);
  const metrics: Record<string, number> = {};
  const candidates = {
    labelled_auc: rocAuc(scores, labels),
    labelled_average_precision: averagePrecision(scores, labels),
    labelled_rows: n,
  };
  for (const [key, v] of Object.entries(candidates)) if (Number.isFinite(v)) metrics[key] = v;
  return IsolationForest.fromJSON({ ...model.toJSON(), metrics });
}
