/**
 * Branch-free walks over flattened trees shared by both models. Every node has `left`; right = left + 1; a walk
 * goes right when x > threshold. A leaf points to itself with threshold +Infinity, so every walk takes exactly
 * `depth` steps. Walks are latency-bound chains of loads, so eight trees walk side by side (measured faster
 * here than walking a block of rows per tree).
 */

export interface FlatForest {
  roots: Int32Array;
  feature: Int32Array; // column read at each node (any valid column at a leaf)
  threshold: Float64Array;
  left: Int32Array;
  value: Float64Array; // what a walk ending at the node adds
  depth: number;
}

/** Sum of the leaf values reached by the row at `offset` of X, over all trees. */
export function sumLeaves(f: FlatForest, X: ArrayLike<number>, offset: number): number {
  const { roots, feature, threshold, left, value, depth } = f;
  let total = 0;
  let t = 0;
  for (; t + 7 < roots.length; t += 8) {
    let a = roots[t]!;
    let b = roots[t + 1]!;
    let c = roots[t + 2]!;
    let d = roots[t + 3]!;
    let e = roots[t + 4]!;
    let g = roots[t + 5]!;
    let h = roots[t + 6]!;
    let k = roots[t + 7]!;
    for (let step = 0; step < depth; step++) {
      a = left[a]! + +(X[offset + feature[a]!]! > threshold[a]!);
      b = left[b]! + +(X[offset + feature[b]!]! > threshold[b]!);
      c = left[c]! + +(X[offset + feature[c]!]! > threshold[c]!);
      d = left[d]! + +(X[offset + feature[d]!]! > threshold[d]!);
      e = left[e]! + +(X[offset + feature[e]!]! > threshold[e]!);
      g = left[g]! + +(X[offset + feature[g]!]! > threshold[g]!);
      h = left[h]! + +(X[offset + feature[h]!]! > threshold[h]!);
      k = left[k]! + +(X[offset + feature[k]!]! > threshold[k]!);
    }
    total += value[a]! + value[b]! + value[c]! + value[d]! + value[e]! + value[g]! + value[h]! + value[k]!;
  }
  for (; t < roots.length; t++) {
    let a = roots[t]!;
    for (let step = 0; step < depth; step++) a = left[a]! + +(X[offset + feature[a]!]! > threshold[a]!);
    total += value[a]!;
  }
  return total;
}

/** Adds each row's sum of leaf values to out[i] for n rows of width `width`. */
export function sumLeavesBatch(
  f: FlatForest,
  X: Float64Array,
  n: number,
  width: number,
  out: Float64Array,
): void {
  for (let i = 0; i < n; i++) out[i] = out[i]! + sumLeaves(f, X, i * width);
}

/**
 * Walk arrays from stored trees (feature -1 = leaf), with columns optionally remapped (model column -> index in
 * the vector the walk will read).
 */
export function flatForest(
  roots: Int32Array,
  storedFeature: Int32Array,
  storedThreshold: Float64Array,
  storedLeft: Int32Array,
  value: Float64Array,
  depth: number,
  columnMap?: ArrayLike<number>,
): FlatForest {
  const nodes = storedFeature.length;
  const feature = new Int32Array(nodes);
  const threshold = new Float64Array(nodes);
  const left = new Int32Array(nodes);
  for (let i = 0; i < nodes; i++) {
    const leaf = storedFeature[i]! < 0;
    const column = leaf ? 0 : storedFeature[i]!;
    feature[i] = columnMap ? Math.max(0, columnMap[column]!) : column;
    threshold[i] = leaf ? Infinity : storedThreshold[i]!;
    left[i] = leaf ? i : storedLeft[i]!;
  }
  return { roots, feature, threshold, left, value, depth };
}
