/**
 * Branch-free walks over flattened trees shared by both models. Every node has `left`; right = left + 1; a walk
 * goes right when x > threshold. A leaf points to itself with threshold +Infinity, so every walk takes exactly
 * `depth` steps. Walks are latency-bound chains of loads, so eight trees walk side by side (measured faster
 * here than walking a block of rows per tree).
 */

export interface FlatForest {
  roots: Int32Array;
  /** left << 8 | column: one load gives both (columns < 256, nodes < 2^23). A leaf: itself, column 0. */
  meta: Int32Array;
  threshold: Float64Array;
  value: Float64Array; // what a walk ending at the node adds
  depth: number;
}

/** Sum of the leaf values reached by the row at `offset` of X, over all trees. */
export function sumLeaves(f: FlatForest, X: ArrayLike<number>, offset: number): number {
  const { roots, meta, threshold, value, depth } = f;
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
      a = (meta[a]! >> 8) + +(X[offset + (meta[a]! & 255)]! > threshold[a]!);
      b = (meta[b]! >> 8) + +(X[offset + (meta[b]! & 255)]! > threshold[b]!);
      c = (meta[c]! >> 8) + +(X[offset + (meta[c]! & 255)]! > threshold[c]!);
      d = (meta[d]! >> 8) + +(X[offset + (meta[d]! & 255)]! > threshold[d]!);
      e = (meta[e]! >> 8) + +(X[offset + (meta[e]! & 255)]! > threshold[e]!);
      g = (meta[g]! >> 8) + +(X[offset + (meta[g]! & 255)]! > threshold[g]!);
      h = (meta[h]! >> 8) + +(X[offset + (meta[h]! & 255)]! > threshold[h]!);
      k = (meta[k]! >> 8) + +(X[offset + (meta[k]! & 255)]! > threshold[k]!);
    }
    total += value[a]! + value[b]! + value[c]! + value[d]! + value[e]! + value[g]! + value[h]! + value[k]!;
  }
  for (; t < roots.length; t++) {
    let a = roots[t]!;
    for (let step = 0; step < depth; step++)
      a = (meta[a]! >> 8) + +(X[offset + (meta[a]! & 255)]! > threshold[a]!);
    total += value[a]!;
  }
  return total;
}

/**
 * Adds each row's sum of leaf values to out[i] for n rows of width `width`. Two rows walk four trees each side by
 * side (eight independent chains), the batch counterpart of sumLeaves.
 */
export function sumLeavesBatch(
  f: FlatForest,
  X: Float64Array,
  n: number,
  width: number,
  out: Float64Array,
): void {
  const { roots, meta, threshold, value, depth } = f;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const p = i * width;
    const q = p + width;
    let sp = 0;
    let sq = 0;
    let t = 0;
    for (; t + 3 < roots.length; t += 4) {
      let a = roots[t]!;
      let b = roots[t + 1]!;
      let c = roots[t + 2]!;
      let d = roots[t + 3]!;
      let e = a;
      let g = b;
      let h = c;
      let k = d;
      for (let step = 0; step < depth; step++) {
        a = (meta[a]! >> 8) + +(X[p + (meta[a]! & 255)]! > threshold[a]!);
        b = (meta[b]! >> 8) + +(X[p + (meta[b]! & 255)]! > threshold[b]!);
        c = (meta[c]! >> 8) + +(X[p + (meta[c]! & 255)]! > threshold[c]!);
        d = (meta[d]! >> 8) + +(X[p + (meta[d]! & 255)]! > threshold[d]!);
        e = (meta[e]! >> 8) + +(X[q + (meta[e]! & 255)]! > threshold[e]!);
        g = (meta[g]! >> 8) + +(X[q + (meta[g]! & 255)]! > threshold[g]!);
        h = (meta[h]! >> 8) + +(X[q + (meta[h]! & 255)]! > threshold[h]!);
        k = (meta[k]! >> 8) + +(X[q + (meta[k]! & 255)]! > threshold[k]!);
      }
      sp += value[a]! + value[b]! + value[c]! + value[d]!;
      sq += value[e]! + value[g]! + value[h]! + value[k]!;
    }
    for (; t < roots.length; t++) {
      let a = roots[t]!;
      let e = a;
      for (let step = 0; step < depth; step++) {
        a = (meta[a]! >> 8) + +(X[p + (meta[a]! & 255)]! > threshold[a]!);
        e = (meta[e]! >> 8) + +(X[q + (meta[e]! & 255)]! > threshold[e]!);
      }
      sp += value[a]!;
      sq += value[e]!;
    }
    out[i] = out[i]! + sp;
    out[i + 1] = out[i + 1]! + sq;
  }
  for (; i < n; i++) out[i] = out[i]! + sumLeaves(f, X, i * width);
}

/** Trees as stored: node arrays shared by all trees; feature -1 marks a leaf; right child = left + 1. */
export interface StoredTrees {
  roots: Int32Array;
  feature: Int32Array;
  threshold: Float64Array;
  left: Int32Array;
}

/**
 * Walk arrays from stored trees, checked (children in range, no node reached twice, so no cycles) and with the
 * walk depth measured from the trees themselves. `columnMap` remaps model columns to the indices of the vector
 * the walk will read (the engine's feature vector).
 */
export function flatForest(
  trees: StoredTrees,
  value: Float64Array,
  columns: number,
  columnMap?: ArrayLike<number>,
): FlatForest {
  const { roots, feature, threshold, left } = trees;
  const nodes = feature.length;
  if (threshold.length !== nodes || left.length !== nodes || value.length !== nodes) {
    throw new Error('tree arrays differ in length');
  }
  if (nodes >= 1 << 23) throw new Error(`too many tree nodes to walk (${nodes})`);
  const meta = new Int32Array(nodes);
  const walkThreshold = new Float64Array(nodes);
  for (let i = 0; i < nodes; i++) {
    const f = feature[i]!;
    const leaf = f < 0;
    if (!leaf && (f >= columns || !(left[i]! > i && left[i]! + 1 < nodes))) {
      throw new Error(`tree node ${i}: feature ${f} or children ${left[i]} out of range`);
    }
    const column = leaf ? 0 : columnMap ? columnMap[f]! : f;
    if (column < 0 || column > 255) throw new Error(`tree node ${i}: column ${column} cannot be walked`);
    meta[i] = ((leaf ? i : left[i]!) << 8) | column;
    walkThreshold[i] = leaf ? Infinity : threshold[i]!;
  }
  return { roots, meta, threshold: walkThreshold, value, depth: maxDepthOf(trees) };
}

function maxDepthOf({ roots, feature, left }: StoredTrees): number {
  // children always come after their parent (checked above), so no walk can loop; a node reached twice would
  // mean trees sharing nodes, which the artifact format does not have
  const seen = new Uint8Array(feature.length);
  const stack: number[] = [];
  let deepest = 0;
  for (let t = 0; t < roots.length; t++) {
    const root = roots[t]!;
    if (!(root >= 0 && root < feature.length)) throw new Error(`tree ${t}: root ${root} out of range`);
    stack.push(root, 0);
    while (stack.length > 0) {
      const depth = stack.pop()!;
      const node = stack.pop()!;
      if (seen[node]) throw new Error(`tree ${t}: node ${node} is reached twice`);
      seen[node] = 1;
      if (depth > deepest) deepest = depth;
      if (feature[node]! >= 0) stack.push(left[node]!, depth + 1, left[node]! + 1, depth + 1);
    }
  }
  return deepest;
}
