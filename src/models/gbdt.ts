/**
 * Gradient-boosted decision trees for binary classification (logloss), histogram-based: features are binned
 * once (binning.ts), each node's gradient/hessian histogram is built for the smaller child only and the
 * sibling's is the parent's minus it. Depth-wise growth, L2 on leaf values, min child weight, row and column
 * subsampling, positive-class weighting, early stopping on a time-ordered validation set.
 *
 * Scoring walks flattened trees branch-free for a fixed number of levels (a leaf points to itself), and
 * `explain` gives per-feature path contributions (Saabas): walking the decision path, each split's change in
 * the node's expected value is credited to its feature; bias + sum(contributions) = the margin (logit).
 */
import { FEATURE_NAMES } from '../engine/features/catalog.ts';
import type { FeatureContribution, ScoringModel } from '../engine/model.ts';
import type { TrainingInfo } from './isolation-forest.ts';
import { growTree, type GrowOptions, type TreeArrays } from './gbdt-grow.ts';
import { binColumns, binMatrix, fitBinning } from './binning.ts';
import { Random } from '../simulator/random.ts';
import { flatForest, sumLeaves, sumLeavesBatch, type FlatForest } from './tree-walk.ts';

export const GBDT_FORMAT_VERSION = 1;

export interface GbdtOptions {
  rounds?: number;
  learningRate?: number;
  maxDepth?: number;
  /** Leaves per tree at most (default: no limit beyond the depth). */
  maxLeaves?: number;
  minChildWeight?: number;
  lambda?: number;
  rowSubsample?: number;
  colSubsample?: number;
  /** Weight of positive rows (class imbalance); default 1. */
  scalePosWeight?: number;
  earlyStoppingRounds?: number;
  validation?: { X: Float64Array; y: ArrayLike<number>; n: number };
  seed?: number;
  featureNames?: readonly string[];
  version?: string;
  training?: TrainingInfo;
}

interface GbdtData {
  featureNames: string[];
  base: number;
  depth: number;
  roots: Int32Array;
  feature: Int32Array; // -1 for a leaf
  threshold: Float64Array;
  left: Int32Array;
  value: Float64Array; // expected margin contribution of the node (learning rate applied)
  version: string;
  training: TrainingInfo;
  params: Record<string, number>;
  metrics: Record<string, number>;
}

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

export class Gbdt implements ScoringModel {
  readonly name = 'gbdt';
  readonly version: string;
  readonly featureNames: readonly string[];
  private readonly d: GbdtData;
  private readonly own: FlatForest;
  private readonly engine: FlatForest;

  constructor(data: GbdtData) {
    this.d = data;
    this.version = data.version;
    this.featureNames = data.featureNames;
    const engineColumns = data.featureNames.map((name) => FEATURE_NAMES.indexOf(name));
    this.own = flatForest(data.roots, data.feature, data.threshold, data.left, data.value, data.depth);
    this.engine = flatForest(
      data.roots,
      data.feature,
      data.threshold,
      data.left,
      data.value,
      data.depth,
      engineColumns,
    );
  }

  get trees(): number {
    return this.d.roots.length;
  }

  /** Leaves of each tree (for checks and diagnostics). */
  leafCounts(): number[] {
    const { roots, feature, left } = this.d;
    const count = (node: number): number =>
      feature[node]! < 0 ? 1 : count(left[node]!) + count(left[node]! + 1);
    return Array.from(roots, (root) => count(root));
  }

  get metrics(): Readonly<Record<string, number>> {
    return this.d.metrics;
  }

  /** Probability of fraud for the row at `offset` of a row-major matrix in the model's column order. */
  predictRow(X: ArrayLike<number>, offset = 0): number {
    return sigmoid(this.d.base + sumLeaves(this.own, X, offset));
  }

  /** The engine's model slot: reads its columns from the full feature vector. */
  predict(features: Float64Array): number {
    return sigmoid(this.d.base + sumLeaves(this.engine, features, 0));
  }

  /** Probabilities for n rows of a row-major matrix in the model's column order. */
  predictBatch(X: Float64Array, n: number): Float64Array {
    const out = new Float64Array(n).fill(this.d.base);
    sumLeavesBatch(this.own, X, n, this.featureNames.length, out);
    for (let i = 0; i < n; i++) out[i] = sigmoid(out[i]!);
    return out;
  }

  /** Bias and per-column path contributions (logit units) for a row in the model's column order. */
  contributions(
    X: ArrayLike<number>,
    offset = 0,
    columns?: Int32Array,
  ): { bias: number; values: Float64Array } {
    const { roots, feature, threshold, left, value } = this.d;
    const values = new Float64Array(this.featureNames.length);
    let bias = this.d.base;
    for (let t = 0; t < roots.length; t++) {
      let node = roots[t]!;
      bias += value[node]!;
      while (feature[node]! >= 0) {
        const f = feature[node]!;
        const x = X[offset + (columns ? columns[f]! : f)]!;
        const next = x > threshold[node]! ? left[node]! + 1 : left[node]!;
        values[f] = values[f]! + value[next]! - value[node]!;
        node = next;
      }
    }
    return { bias, values };
  }

  explain(features: Float64Array, top: number): FeatureContribution[] {
    const columns = Int32Array.from(this.featureNames, (name) => FEATURE_NAMES.indexOf(name));
    const { values } = this.contributions(features, 0, columns);
    const order = [...values.keys()].filter((f) => values[f] !== 0);
    order.sort((a, b) => Math.abs(values[b]!) - Math.abs(values[a]!));
    return order.slice(0, top).map((f) => ({
      feature: this.featureNames[f]!,
      value: features[columns[f]!]!,
      contribution: values[f]!,
    }));
  }

  toJSON(): Record<string, unknown> {
    const d = this.d;
    return {
      format_version: GBDT_FORMAT_VERSION,
      kind: 'gbdt',
      version: d.version,
      feature_names: d.featureNames,
      training: d.training,
      params: d.params,
      metrics: d.metrics,
      base: d.base,
      depth: d.depth,
      trees: {
        roots: Array.from(d.roots),
        feature: Array.from(d.feature),
        threshold: Array.from(d.threshold),
        left: Array.from(d.left),
        value: Array.from(d.value),
      },
    };
  }

  static fromJSON(json: Record<string, unknown>): Gbdt {
    if (json.format_version !== GBDT_FORMAT_VERSION) {
      throw new Error(
        `gbdt artifact: format_version must be ${GBDT_FORMAT_VERSION}, got ${String(json.format_version)}`,
      );
    }
    const trees = json.trees as Record<string, number[]> | undefined;
    if (
      !trees ||
      !Array.isArray(trees.roots) ||
      !Array.isArray(trees.feature) ||
      !Array.isArray(trees.value)
    ) {
      throw new Error('gbdt artifact: trees are missing');
    }
    return new Gbdt({
      featureNames: json.feature_names as string[],
      base: json.base as number,
      depth: json.depth as number,
      roots: Int32Array.from(trees.roots),
      feature: Int32Array.from(trees.feature),
      threshold: Float64Array.from(trees.threshold as number[]),
      left: Int32Array.from(trees.left as number[]),
      value: Float64Array.from(trees.value),
      version: String(json.version),
      training: json.training as TrainingInfo,
      params: (json.params ?? {}) as Record<string, number>,
      metrics: (json.metrics ?? {}) as Record<string, number>,
    });
  }
}

/** Fits boosted trees on n rows × d columns of a row-major matrix with 0/1 labels. */
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
  const rng = new Random(options.seed ?? 1);
  const names = [...(options.featureNames ?? FEATURE_NAMES.slice(0, d))];
  if (names.length !== d) throw new Error(`featureNames has ${names.length} names for ${d} columns`);
  const binning = fitBinning(X, n, d);
  const binned = binMatrix(X, n, d, binning);
  const columns = binColumns(binned, n, d);
  let wPos = 0;
  let wNeg = 0;
  for (let i = 0; i < n; i++)
    if (y[i]! > 0) wPos += posWeight;
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
  const val = options.validation;
  const valMargin = val ? new Float64Array(val.n).fill(base) : null;
  let bestLoss = Infinity;
  let bestRounds = 0;
  const patience = options.earlyStoppingRounds ?? 20;
  const rowSubsample = options.rowSubsample ?? 1;
  const rows = new Int32Array(n);
  const sampled = new Uint8Array(n);
  const leafOf = new Int32Array(n);
  const gradients = (i: number): void => {
    const p = sigmoid(margin[i]!);
    const positive = y[i]! > 0;
    const w = positive ? posWeight : 1;
    grad[i] = w * (p - (positive ? 1 : 0));
    hess[i] = Math.max(w * p * (1 - p), 1e-16);
  };
  for (let i = 0; i < n; i++) gradients(i);
  for (let round = 0; round < rounds; round++) {
    let m = 0;
    sampled.fill(0);
    for (let i = 0; i < n; i++) {
      if (rowSubsample >= 1 || rng.next() < rowSubsample) {
        rows[m++] = i;
        sampled[i] = 1;
      }
    }
    const root = growTree(
      binned,
      columns,
      n,
      d,
      binning,
      rows.subarray(0, m),
      grad,
      hess,
      grow,
      rng,
      tree,
      leafOf,
    );
    roots.push(root);
    // Sampled rows know their leaf from the partition; only the others walk the new tree.
    // ... and the next round's gradients follow in the same pass.
    for (let i = 0; i < n; i++) {
      margin[i] = margin[i]! + (sampled[i] ? tree.value[leafOf[i]!]! : treeOutput(tree, root, X, i * d));
      gradients(i);
    }
    if (val && valMargin) {
      for (let i = 0; i < val.n; i++) valMargin[i] = valMargin[i]! + treeOutput(tree, root, val.X, i * d);
      const loss = logloss(valMargin, val.y, val.n);
      if (loss < bestLoss - 1e-9) {
        bestLoss = loss;
        bestRounds = round + 1;
      } else if (round + 1 - bestRounds >= patience) {
        break;
      }
    } else {
      bestRounds = round + 1;
    }
  }
  const kept = roots.slice(0, bestRounds);
  return new Gbdt({
    featureNames: names,
    base,
    depth: maxDepth,
    roots: Int32Array.from(kept),
    feature: Int32Array.from(tree.feature),
    threshold: Float64Array.from(tree.threshold),
    left: Int32Array.from(tree.left),
    value: Float64Array.from(tree.value),
    version: options.version ?? `gbdt-${Date.now().toString(36)}`,
    training: options.training ?? { rows: n },
    params: {
      rounds,
      learning_rate: lr,
      max_depth: maxDepth,
      scale_pos_weight: posWeight,
      trees: kept.length,
    },
    metrics: val ? { validation_logloss: bestLoss } : {},
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
