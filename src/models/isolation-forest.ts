/**
 * Isolation forest (Liu, Ting & Zhou 2008): anomalies are isolated by fewer random splits. Trained on unlabelled
 * history; scores in [0,1], higher = more anomalous: s(x) = 2^(-E[h(x)] / c(ψ)).
 *
 * Trees are flattened into shared typed arrays (feature, threshold, left child; right = left + 1 taken when
 * x > threshold; leaf value = depth + c(leaf size)) and walked branch-free (tree-walk.ts). Features are read
 * straight from the engine's vector through a column map resolved at load.
 */
import { FEATURE_NAMES } from '../engine/features/catalog.ts';
import type { ScoringModel } from '../engine/model.ts';
import { Random } from '../simulator/random.ts';
import { flatForest, sumLeaves, sumLeavesBatch, type FlatForest } from './tree-walk.ts';

export const IFOREST_FORMAT_VERSION = 1;

export interface IsolationForestOptions {
  trees?: number;
  sampleSize?: number;
  maxDepth?: number;
  seed?: number;
  /** Names of the columns of X (default: the engine's feature names). */
  featureNames?: readonly string[];
  version?: string;
  training?: TrainingInfo;
}

export interface TrainingInfo {
  from?: string;
  to?: string;
  rows: number;
  positives?: number;
  label_delay_ms?: number;
}

/** Average path length of an unsuccessful search in a binary search tree of n points. */
export function averagePathLength(n: number): number {
  if (n <= 1) return 0;
  if (n === 2) return 1;
  return 2 * (Math.log(n - 1) + 0.5772156649015329) - (2 * (n - 1)) / n;
}

interface IsolationForestData {
  featureNames: string[];
  sampleSize: number;
  roots: Int32Array;
  feature: Int32Array;
  threshold: Float64Array;
  left: Int32Array;
  leafValue: Float64Array;
  version: string;
  training: TrainingInfo;
  params: Record<string, number>;
}

export class IsolationForest implements ScoringModel {
  readonly name = 'iforest';
  readonly version: string;
  readonly featureNames: readonly string[];
  private readonly d: IsolationForestData;
  private readonly normaliser: number;
  /** Walks over the model's own columns, and over the engine's feature vector. */
  private readonly own: FlatForest;
  private readonly engine: FlatForest;

  constructor(data: IsolationForestData) {
    this.d = data;
    this.version = data.version;
    this.featureNames = data.featureNames;
    this.normaliser = averagePathLength(data.sampleSize) * data.roots.length;
    const depth = data.params.max_depth ?? 64;
    const engineColumns = data.featureNames.map((name) => FEATURE_NAMES.indexOf(name));
    this.own = flatForest(data.roots, data.feature, data.threshold, data.left, data.leafValue, depth);
    this.engine = flatForest(
      data.roots,
      data.feature,
      data.threshold,
      data.left,
      data.leafValue,
      depth,
      engineColumns,
    );
  }

  /** Score of the row at `offset` of a row-major matrix in the model's own column order. */
  scoreRow(X: ArrayLike<number>, offset: number): number {
    return Math.pow(2, -sumLeaves(this.own, X, offset) / this.normaliser);
  }

  /** The engine's model slot: reads its columns from the full feature vector. */
  predict(features: Float64Array): number {
    return Math.pow(2, -sumLeaves(this.engine, features, 0) / this.normaliser);
  }

  /** Scores n rows of a row-major matrix in the model's column order. */
  scoreBatch(X: Float64Array, n: number): Float64Array {
    const out = new Float64Array(n);
    sumLeavesBatch(this.own, X, n, this.featureNames.length, out);
    for (let i = 0; i < n; i++) out[i] = Math.pow(2, -out[i]! / this.normaliser);
    return out;
  }

  toJSON(): Record<string, unknown> {
    const d = this.d;
    return {
      format_version: IFOREST_FORMAT_VERSION,
      kind: 'iforest',
      version: d.version,
      feature_names: d.featureNames,
      training: d.training,
      params: d.params,
      metrics: {},
      sample_size: d.sampleSize,
      trees: {
        roots: Array.from(d.roots),
        feature: Array.from(d.feature),
        threshold: Array.from(d.threshold),
        left: Array.from(d.left),
        leaf_value: Array.from(d.leafValue),
      },
    };
  }

  static fromJSON(json: Record<string, unknown>): IsolationForest {
    const trees = json.trees as Record<string, number[]> | undefined;
    if (json.format_version !== IFOREST_FORMAT_VERSION) {
      throw new Error(
        `iforest artifact: format_version must be ${IFOREST_FORMAT_VERSION}, got ${String(json.format_version)}`,
      );
    }
    if (!trees || !Array.isArray(trees.roots) || !Array.isArray(trees.feature)) {
      throw new Error('iforest artifact: trees are missing');
    }
    return new IsolationForest({
      featureNames: json.feature_names as string[],
      sampleSize: json.sample_size as number,
      roots: Int32Array.from(trees.roots),
      feature: Int32Array.from(trees.feature),
      threshold: Float64Array.from(trees.threshold as number[]),
      left: Int32Array.from(trees.left as number[]),
      leafValue: Float64Array.from(trees.leaf_value as number[]),
      version: String(json.version),
      training: json.training as TrainingInfo,
      params: (json.params ?? {}) as Record<string, number>,
    });
  }
}

/** Grows arrays of nodes as trees are built. */
class NodeBuffer {
  feature: number[] = [];
  threshold: number[] = [];
  left: number[] = [];
  leafValue: number[] = [];

  add(): number {
    this.feature.push(-1);
    this.threshold.push(0);
    this.left.push(-1);
    this.leafValue.push(0);
    return this.feature.length - 1;
  }
}

/** Fits a forest on n rows × d columns of a row-major matrix. */
export function fitIsolationForest(
  X: Float64Array,
  n: number,
  d: number,
  options: IsolationForestOptions = {},
): IsolationForest {
  const trees = options.trees ?? 100;
  const sampleSize = Math.min(options.sampleSize ?? 256, n);
  const maxDepth = options.maxDepth ?? Math.ceil(Math.log2(Math.max(2, sampleSize)));
  const rng = new Random(options.seed ?? 1);
  const names = [...(options.featureNames ?? FEATURE_NAMES.slice(0, d))];
  if (names.length !== d) throw new Error(`featureNames has ${names.length} names for ${d} columns`);
  if (n < 2) throw new Error('an isolation forest needs at least 2 rows');
  const nodes = new NodeBuffer();
  const roots: number[] = [];
  const sample = new Int32Array(sampleSize);
  const lo = new Float64Array(d);
  const hi = new Float64Array(d);
  const candidates = new Int32Array(d);

  /** Fills node `node` (already reserved) from rows[from, to); children are reserved as a consecutive pair. */
  const build = (node: number, rows: Int32Array, from: number, to: number, depth: number): void => {
    const size = to - from;
    if (size <= 1 || depth >= maxDepth) {
      nodes.leafValue[node] = depth + averagePathLength(size);
      return;
    }
    lo.fill(Infinity);
    hi.fill(-Infinity);
    for (let i = from; i < to; i++) {
      const base = rows[i]! * d;
      for (let f = 0; f < d; f++) {
        const v = X[base + f]!;
        if (v < lo[f]!) lo[f] = v;
        if (v > hi[f]!) hi[f] = v;
      }
    }
    let k = 0;
    for (let f = 0; f < d; f++) if (hi[f]! > lo[f]!) candidates[k++] = f;
    if (k === 0) {
      nodes.leafValue[node] = depth + averagePathLength(size);
      return;
    }
    const f = candidates[rng.int(k)]!;
    // cut in [lo, hi): the minimum goes left (x <= cut), the maximum right, so neither side is empty
    const cut = lo[f]! + (hi[f]! - lo[f]!) * rng.next();
    let i = from;
    let j = to - 1;
    while (i <= j) {
      if (X[rows[i]! * d + f]! <= cut) i++;
      else {
        const tmp = rows[i]!;
        rows[i] = rows[j]!;
        rows[j] = tmp;
        j--;
      }
    }
    const leftChild = nodes.add();
    nodes.add(); // right = left + 1
    nodes.feature[node] = f;
    nodes.threshold[node] = cut;
    nodes.left[node] = leftChild;
    build(leftChild, rows, from, i, depth + 1);
    build(leftChild + 1, rows, i, to, depth + 1);
  };

  for (let t = 0; t < trees; t++) {
    // sample without replacement (partial Fisher-Yates over a virtual index array)
    const picked = new Map<number, number>();
    for (let i = 0; i < sampleSize; i++) {
      const j = i + rng.int(n - i);
      const vj = picked.get(j) ?? j;
      const vi = picked.get(i) ?? i;
      picked.set(j, vi);
      sample[i] = vj;
    }
    const root = nodes.add();
    build(root, sample, 0, sampleSize, 0);
    roots.push(root);
  }
  return new IsolationForest({
    featureNames: names,
    sampleSize,
    roots: Int32Array.from(roots),
    feature: Int32Array.from(nodes.feature),
    threshold: Float64Array.from(nodes.threshold),
    left: Int32Array.from(nodes.left),
    leafValue: Float64Array.from(nodes.leafValue),
    version: options.version ?? `iforest-${Date.now().toString(36)}`,
    training: options.training ?? { rows: n },
    params: { trees, sample_size: sampleSize, max_depth: maxDepth, seed: options.seed ?? 1 },
  });
}
