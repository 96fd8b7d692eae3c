/**
 * Grows one regression tree on gradients and hessians from binned features (second-order boosting, XGBoost's
 * gain with L2). Depth-first with a stack, so at most maxDepth + 1 histograms are alive; a node's smaller child
 * gets a fresh histogram and the larger one reuses the parent's minus it (the subtraction trick).
 */
import type { Binning } from './binning.ts';
import type { Random } from '../simulator/random.ts';

export interface GrowOptions {
  maxDepth: number;
  /** At most this many leaves per tree (splits stop once reached); Infinity for no limit. */
  maxLeaves: number;
  minChildWeight: number;
  lambda: number;
  learningRate: number;
  colSubsample: number;
}

/** Flattened nodes shared by all trees; a split's children are consecutive (right = left + 1). */
export interface TreeArrays {
  feature: number[]; // -1 for a leaf
  threshold: number[]; // go right when x > threshold
  left: number[];
  value: number[]; // learning rate × (-G / (H + lambda)): the node's expected output
}

const BINS = 256;

interface Pending {
  node: number;
  start: number;
  end: number;
  depth: number;
  hist: Float64Array;
  g: number;
  h: number;
}

function addNode(tree: TreeArrays, value: number): number {
  tree.feature.push(-1);
  tree.threshold.push(0);
  tree.left.push(-1);
  tree.value.push(value);
  return tree.feature.length - 1;
}

export function growTree(
  binned: Uint8Array,
  /** The same bins column-major (binColumns), for partitions. */
  columns: Uint8Array,
  n: number,
  d: number,
  binning: Binning,
  sampleRows: Int32Array,
  grad: Float64Array,
  hess: Float64Array,
  o: GrowOptions,
  rng: Random,
  tree: TreeArrays,
  /** Filled for every sampled row: the leaf it lands in (so margins update without walking the tree). */
  leafOf: Int32Array,
): number {
  const rows = sampleRows.slice();
  const scratch = new Int32Array(rows.length);
  const active = chooseColumns(d, o.colSubsample, rng);
  const histSize = d * BINS * 2;
  // Histograms are reused from a pool: depth-first growth keeps at most maxDepth + 2 alive.
  const pool: Float64Array[] = [];
  const takeHist = (): Float64Array => pool.pop() ?? new Float64Array(histSize);
  const allColumns = active.length === d;
  const buildHist = (start: number, end: number, hist: Float64Array): void => {
    hist.fill(0);
    for (let i = start; i < end; i++) {
      const r = rows[i]!;
      const g = grad[r]!;
      const h = hess[r]!;
      const at = r * d;
      if (allColumns) {
        // four columns per step: independent read-modify-writes the processor can overlap
        let f = 0;
        for (; f + 3 < d; f += 4) {
          const k1 = (f * BINS + binned[at + f]!) << 1;
          const k2 = ((f + 1) * BINS + binned[at + f + 1]!) << 1;
          const k3 = ((f + 2) * BINS + binned[at + f + 2]!) << 1;
          const k4 = ((f + 3) * BINS + binned[at + f + 3]!) << 1;
          hist[k1] = hist[k1]! + g;
          hist[k2] = hist[k2]! + g;
          hist[k3] = hist[k3]! + g;
          hist[k4] = hist[k4]! + g;
          hist[k1 + 1] = hist[k1 + 1]! + h;
          hist[k2 + 1] = hist[k2 + 1]! + h;
          hist[k3 + 1] = hist[k3 + 1]! + h;
          hist[k4 + 1] = hist[k4 + 1]! + h;
        }
        for (; f < d; f++) {
          const k = (f * BINS + binned[at + f]!) << 1;
          hist[k] = hist[k]! + g;
          hist[k + 1] = hist[k + 1]! + h;
        }
      } else {
        for (let a = 0; a < active.length; a++) {
          const f = active[a]!;
          const k = (f * BINS + binned[at + f]!) * 2;
          hist[k] = hist[k]! + g;
          hist[k + 1] = hist[k + 1]! + h;
        }
      }
    }
  };
  const leafValue = (g: number, h: number): number => (o.learningRate * -g) / (h + o.lambda);

  let g0 = 0;
  let h0 = 0;
  for (let i = 0; i < rows.length; i++) {
    g0 += grad[rows[i]!]!;
    h0 += hess[rows[i]!]!;
  }
  const root = addNode(tree, leafValue(g0, h0));
  const rootHist = takeHist();
  buildHist(0, rows.length, rootHist);
  const stack: Pending[] = [
    { node: root, start: 0, end: rows.length, depth: 0, hist: rootHist, g: g0, h: h0 },
  ];

  const settle = (node: number, start: number, end: number): void => {
    for (let i = start; i < end; i++) leafOf[rows[i]!] = node;
  };
  let leaves = 1;
  while (stack.length > 0) {
    const p = stack.pop()!;
    if (p.depth >= o.maxDepth || leaves >= o.maxLeaves || p.h < 2 * o.minChildWeight || p.end - p.start < 2) {
      settle(p.node, p.start, p.end);
      pool.push(p.hist);
      continue;
    }
    // best split over the active columns
    const parentScore = (p.g * p.g) / (p.h + o.lambda);
    let bestGain = 1e-12;
    let bestFeature = -1;
    let bestBin = -1;
    let bestGL = 0;
    let bestHL = 0;
    for (let a = 0; a < active.length; a++) {
      const f = active[a]!;
      const bins = binning.edges[f]!.length + 1;
      const at = f * BINS * 2;
      let gl = 0;
      let hl = 0;
      for (let b = 0; b < bins - 1; b++) {
        gl += p.hist[at + 2 * b]!;
        hl += p.hist[at + 2 * b + 1]!;
        if (hl < o.minChildWeight) continue;
        const hr = p.h - hl;
        if (hr < o.minChildWeight) break;
        const gr = p.g - gl;
        const gain = (gl * gl) / (hl + o.lambda) + (gr * gr) / (hr + o.lambda) - parentScore;
        if (gain > bestGain) {
          bestGain = gain;
          bestFeature = f;
          bestBin = b;
          bestGL = gl;
          bestHL = hl;
        }
      }
    }
    if (bestFeature < 0) {
      settle(p.node, p.start, p.end);
      pool.push(p.hist);
      continue;
    }
    // stable partition of rows[start, end): bin <= bestBin first
    let l = p.start;
    let r = 0;
    for (let i = p.start; i < p.end; i++) {
      const row = rows[i]!;
      if (columns[bestFeature * n + row]! <= bestBin) rows[l++] = row;
      else scratch[r++] = row;
    }
    rows.set(scratch.subarray(0, r), l);
    const gr = p.g - bestGL;
    const hr = p.h - bestHL;
    const leftNode = addNode(tree, leafValue(bestGL, bestHL));
    addNode(tree, leafValue(gr, hr));
    leaves++;
    tree.feature[p.node] = bestFeature;
    tree.threshold[p.node] = binning.edges[bestFeature]![bestBin]!;
    tree.left[p.node] = leftNode;
    if (p.depth + 1 >= o.maxDepth) {
      settle(leftNode, p.start, l);
      settle(leftNode + 1, l, p.end);
      pool.push(p.hist); // children stay leaves: no histograms needed
      continue;
    }
    const leftSmaller = l - p.start <= p.end - l;
    const small = takeHist();
    if (leftSmaller) buildHist(p.start, l, small);
    else buildHist(l, p.end, small);
    const large = p.hist; // parent minus the smaller child
    for (let k = 0; k < histSize; k++) large[k] = large[k]! - small[k]!;
    const leftHist = leftSmaller ? small : large;
    const rightHist = leftSmaller ? large : small;
    stack.push({
      node: leftNode + 1,
      start: l,
      end: p.end,
      depth: p.depth + 1,
      hist: rightHist,
      g: gr,
      h: hr,
    });
    stack.push({
      node: leftNode,
      start: p.start,
      end: l,
      depth: p.depth + 1,
      hist: leftHist,
      g: bestGL,
      h: bestHL,
    });
  }
  return root;
}

function chooseColumns(d: number, fraction: number, rng: Random): Int32Array {
  const all = Array.from({ length: d }, (_, i) => i);
  if (fraction >= 1) return Int32Array.from(all);
  const k = Math.max(1, Math.ceil(d * fraction));
  for (let i = 0; i < k; i++) {
    const j = i + rng.int(d - i);
    [all[i], all[j]] = [all[j]!, all[i]!];
  }
  return Int32Array.from(all.slice(0, k).sort((a, b) => a - b));
}
