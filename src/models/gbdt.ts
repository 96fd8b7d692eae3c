/**
 * Gradient-boosted decision trees for binary classification (logloss), histogram-based: features are binned
 * once (binning.ts), each node's gradient/hessian histogram is built for the smaller child only and the
 * sibling's is the parent's minus it (gbdt-grow.ts). L2 on leaf values, min child weight, depth and leaf limits,
 * row and column subsampling, positive-class weighting, early stopping on a time-ordered validation set.
 * The trained model (scoring, contributions, artifact) is gbdt-model.ts.
 */
import { FEATURE_NAMES } from '../engine/features/catalog.ts';
import { Random } from '../simulator/random.ts';
import type { TrainingInfo } from './artifact-fields.ts';
import { binData, fitBinning } from './binning.ts';
import { Gbdt } from './gbdt-model.ts';
import { growTree, type GrowOptions, type TreeArrays } from './gbdt-grow.ts';
import { averagePrecision, rocAuc } from './metrics.ts';

export { Gbdt, GBDT_FORMAT_VERSION } from './gbdt-model.ts';

export interface GbdtOptions {
  rounds?: number;
  learningRate?: number;
  maxDepth?: number;
  /** Leaves per tree at most (default: no limit beyond the depth); the best splits are taken first. */
  maxLeaves?: number;
  minChildWeight?: number;
  lambda?: number;
  rowSubsample?: number;
  colSubsample?: number;
  /** Weight of positive rows (class imbalance); default 1. */
  scalePosWeight?: number;
  /** Stop when the validation loss has not improved for this many rounds (default 20; needs `validation`). */
  earlyStoppingRounds?: number;
  /** Rows after the training rows in time, in the same columns; the trees past the best round are dropped. */
  validation?: { X: Float64Array; y: ArrayLike<number>; n: number };
  seed?: number;
  featureNames?: readonly string[];
  version?: string;
  training?: TrainingInfo;
}

/** Fits boosted trees on n rows × d columns of a row-major matrix with 0/1 labels (> 0 counts as fraud). */
export function fitGbdt(
  X: Float64Array,
  y: ArrayLike<number>,
  n: number,
  d: number,
  options: GbdtOptions = {},
): Gbdt {
  const rounds = options.rounds ?? 200;
  const lr = options.learningRate ?? 0.1;
  const maxDepth = options.maxDepth ?? 6;
  const posWeight = options.scalePosWeight ?? 1;
  const rowSubsample = options.rowSubsample ?? 1;
  const rng = new Random(options.seed ?? 1);
  const names = [...(options.featureNames ?? FEATURE_NAMES.slice(0, d))];
  if (names.length !== d) throw new Error(`featureNames has ${names.length} names for ${d} columns`);
  if (n < 1 || X.length < n * d || y.length < n) throw new Error(`X or y holds fewer than ${n} rows`);
  const val = options.validation && options.validation.n > 0 ? options.validation : undefined;
  if (val && (val.X.length < val.n * d || val.y.length < val.n)) {
    throw new Error(`validation X or y holds fewer than ${val.n} rows`);
  }
  const labels = Uint8Array.from({ length: n }, (_, i) => (y[i]! > 0 ? 1 : 0));
  const binned = binData(X, n, d, fitBinning(X, n, d, undefined, undefined, labels));
  let wPos = 0;
  let wNeg = 0;
  for (let i = 0; i < n; i++)
    if (labels[i]) wPos += posWeight;
    else wNeg += 1;
  const base = wPos > 0 && wNeg > 0 ? Math.log(wPos / wNeg) : 0;
  const margin = new Float64Array(n).fill(base);
  const grad = new Float64Array(n);
  const hess = new Float64Array(n);
  const tree: TreeArrays = { feature: [], threshold: [], left: [], value: [] };
  const roots: number[] = [];
  const grow: GrowOptions = {
    maxDepth,
    maxLeaves: options.maxLeaves ?? Infinity,
    minChildWeight: options.minChildWeight ?? 1,
    lambda: options.lambda ?? 1,
    learningRate: lr,
    colSubsample: options.colSubsample ?? 1,
  };
  const valMargin = val ? new Float64Array(val.n).fill(base) : null;
  const bestValMargin = val ? new Float64Array(val.n) : null; // for the validation metrics
  let bestLoss = Infinity;
  let bestRounds = 0;
  const patience = options.earlyStoppingRounds ?? 20;
  const rows = new Int32Array(n);
  const sampled = new Uint8Array(n);
  const leafOf = new Int32Array(n);
  // logloss derivatives in the margin, positives weighted; the hessian floor keeps leaf values finite
  const gradients = (i: number, z: number): void => {
    const p = 1 / (1 + Math.exp(-z));
    const w = labels[i] ? posWeight : 1;
    grad[i] = w * (p - labels[i]!);
    hess[i] = Math.max(w * p * (1 - p), 1e-16);
  };
  for (let i = 0; i < n; i++) gradients(i, base);
  for (let round = 0; round < rounds; round++) {
    let m = 0;
    for (let i = 0; i < n; i++) {
      const take = rowSubsample >= 1 || rng.next() < rowSubsample;
      sampled[i] = take ? 1 : 0;
      if (take) rows[m++] = i;
    }
    const root = growTree(binned, rows.subarray(0, m), grad, hess, grow, rng, tree, leafOf);
    roots.push(root);
    // Sampled rows know their leaf from the partition; only the others walk the new tree. The next round's
    // gradients follow in the same pass.
    const value = tree.value;
    for (let i = 0; i < n; i++) {
      const z = margin[i]! + (sampled[i] ? value[leafOf[i]!]! : treeOutput(tree, root, X, i * d));
      margin[i] = z;
      gradients(i, z);
    }
    if (val && valMargin && bestValMargin) {
      for (let i = 0; i < val.n; i++) valMargin[i] = valMargin[i]! + treeOutput(tree, root, val.X, i * d);
      const loss = logloss(valMargin, val.y, val.n);
      if (loss < bestLoss - 1e-9) {
        bestLoss = loss;
        bestRounds = round + 1;
        bestValMargin.set(valMargin);
      } else if (round + 1 - bestRounds >= patience) {
        break;
      }
    } else {
      bestRounds = round + 1;
    }
  }
  // Trees are appended in order, so the nodes of the dropped trees are the arrays' tail.
  const nodes = bestRounds < roots.length ? roots[bestRounds]! : tree.feature.length;
  // ranks of margins are ranks of probabilities; a metric a one-class validation set cannot give is left out
  const metrics: Record<string, number> = {};
  if (val && bestValMargin) {
    const candidates = {
      validation_logloss: bestLoss,
      validation_auc: rocAuc(bestValMargin, val.y),
      validation_average_precision: averagePrecision(bestValMargin, val.y),
      validation_rows: val.n,
    };
    for (const [key, v] of Object.entries(candidates)) if (Number.isFinite(v)) metrics[key] = v;
  }
  return new Gbdt({
    featureNames: names,
    base,
    trees: {
      roots: Int32Array.from(roots.slice(0, bestRounds)),
      feature: Int32Array.from(tree.feature.slice(0, nodes)),
      threshold: Float64Array.from(tree.threshold.slice(0, nodes)),
      left: Int32Array.from(tree.left.slice(0, nodes)),
    },
    value: Float64Array.from(tree.value.slice(0, nodes)),
    version: options.version ?? `gbdt-${new Date().toISOString()}`,
    training: options.training ?? { rows: n, positives: labels.reduce((a, b) => a + b, 0) },
    params: {
      rounds,
      learning_rate: lr,
      max_depth: maxDepth,
      max_leaves: grow.maxLeaves === Infinity ? 0 : grow.maxLeaves,
      min_child_weight: grow.minChildWeight,
      lambda: grow.lambda,
      row_subsample: rowSubsample,
      col_subsample: grow.colSubsample,
      scale_pos_weight: posWeight,
      early_stopping_rounds: val ? patience : 0,
      seed: options.seed ?? 1,
      trees: bestRounds,
    },
    metrics,
  });
}

/** One tree's output for the row at `offset` (training-time walk over the growing arrays). */
function treeOutput(tree: TreeArrays, root: number, X: Float64Array, offset: number): number {
  let node = root;
  while (tree.feature[node]! >= 0) {
    node = X[offset + tree.feature[node]!]! > tree.threshold[node]! ? tree.left[node]! + 1 : tree.left[node]!;
  }
  return tree.value[node]!;
}

function logloss(margin: Float64Array, y: ArrayLike<number>, n: number): number {
  let loss = 0;
  for (let i = 0; i < n; i++) {
    const z = margin[i]!;
    // log(1 + e^-z) for positives, log(1 + e^z) for negatives, computed stably
    const s = y[i]! > 0 ? -z : z;
    loss += s > 0 ? s + Math.log1p(Math.exp(-s)) : Math.log1p(Math.exp(s));
  }
  return loss / n;
}
