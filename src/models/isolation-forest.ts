/**
 * Isolation forest (Liu, Ting & Zhou 2008): anomalies are isolated by fewer random splits. Fitted on unlabelled
 * history: each tree isolates a random sample of ψ rows (without replacement) by splitting on a random column
 * that varies among the node's rows, at a cut uniform in [min, max). The trained model is
 * isolation-forest-model.ts.
 */
import { FEATURE_NAMES } from '../engine/features/catalog.ts';
import { Random } from '../simulator/random.ts';
import type { TrainingInfo } from './artifact-fields.ts';
import { averagePathLength, IsolationForest } from './isolation-forest-model.ts';

export { averagePathLength, IFOREST_FORMAT_VERSION, IsolationForest } from './isolation-forest-model.ts';
export type { TrainingInfo } from './artifact-fields.ts';

export interface IsolationForestOptions {
  trees?: number;
  /** ψ: rows per tree (default 256, at most n). */
  sampleSize?: number;
  /** Default ceil(log2 ψ), the average depth of a tree of ψ points: deeper paths only separate inliers. */
  maxDepth?: number;
  seed?: number;
  /** Names of the columns of X (default: the engine's first d feature names). */
  featureNames?: readonly string[];
  version?: string;
  training?: TrainingInfo;
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
  if (X.length < n * d) throw new Error(`X holds fewer than ${n} rows of ${d} columns`);
  if (!(trees >= 1)) throw new Error('trees must be at least 1');
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
      if (!(X[rows[i]! * d + f]! > cut))
        i++; // NaN goes left, as in the scoring walk
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
    trees: {
      roots: Int32Array.from(roots),
      feature: Int32Array.from(nodes.feature),
      threshold: Float64Array.from(nodes.threshold),
      left: Int32Array.from(nodes.left),
    },
    leafValue: Float64Array.from(nodes.leafValue),
    version: options.version ?? `iforest-${new Date().toISOString()}`,
    training: options.training ?? { rows: n },
    params: { trees, sample_size: sampleSize, max_depth: maxDepth, seed: options.seed ?? 1 },
    metrics: {},
  });
}
