/**
 * Grows one regression tree on gradients and hessians from binned features (second-order boosting, XGBoost's
 * gain with L2). Depth-first with a stack, so few histograms are alive (best gain first under a leaf budget); a
 * node's smaller child gets a fresh histogram and the larger one reuses the parent's minus it (the subtraction
 * trick).
 */
import type { BinnedMatrix } from './binning.ts';
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

/** A node waiting to be split, with its best split already found. */
interface Pending {
  node: number;
  start: number;
  end: number;
  depth: number;
  hist: Float64Array;
  g: number;
  h: number;
  gain: number;
  feature: number;
  bin: number;
  gl: number;
  hl: number;
}

function addNode(tree: TreeArrays, value: number): number {
  tree.feature.push(-1);
  tree.threshold.push(0);
  tree.left.push(-1);
  tree.value.push(value);
  return tree.feature.length - 1;
}

/** Byte j of a 32-bit word is bits 8j.. on little-endian machines (all Node targets); else read bytes. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

export function growTree(
  data: BinnedMatrix,
  sampleRows: Int32Array,
  grad: Float64Array,
  hess: Float64Array,
  o: GrowOptions,
  rng: Random,
  tree: TreeArrays,
  /** Filled for every sampled row: the leaf it lands in (so margins update without walking the tree). */
  leafOf: Int32Array,
): number {
  const { n, d, binning, columns, words, stride } = data;
  const binned = data.rows;
  const rows = sampleRows.slice();
  const scratch = new Int32Array(rows.length);
  const active = chooseColumns(d, o.colSubsample, rng);
  const histSize = d * BINS * 2;
  // Histograms are reused from a pool: depth-first growth keeps at most maxDepth + 2 alive.
  const pool: Float64Array[] = [];
  const takeHist = (): Float64Array => pool.pop() ?? new Float64Array(histSize);
  const wordsPerRow = stride >> 2;
  const fullWords = LITTLE_ENDIAN && active.length === d ? d >> 2 : 0;
  const buildHist = (start: number, end: number, hist: Float64Array): void => {
    hist.fill(0);
    for (let i = start; i < end; i++) {
      const r = rows[i]!;
      const g = grad[r]!;
      const h = hess[r]!;
      // four columns per 32-bit load: independent read-modify-writes the processor can overlap
      const at = r * wordsPerRow;
      for (let q = 0; q < fullWords; q++) {
        const w = words[at + q]!;
        const b = q * 4 * BINS;
        const k1 = (b + (w & 255)) << 1;
        const k2 = (b + BINS + ((w >>> 8) & 255)) << 1;
        const k3 = (b + 2 * BINS + ((w >>> 16) & 255)) << 1;
        const k4 = (b + 3 * BINS + (w >>> 24)) << 1;
        hist[k1] = hist[k1]! + g;
        hist[k2] = hist[k2]! + g;
        hist[k3] = hist[k3]! + g;
        hist[k4] = hist[k4]! + g;
        hist[k1 + 1] = hist[k1 + 1]! + h;
        hist[k2 + 1] = hist[k2 + 1]! + h;
        hist[k3 + 1] = hist[k3 + 1]! + h;
        hist[k4 + 1] = hist[k4 + 1]! + h;
      }
      // the rest: columns past the last full word, or the sampled columns
      const byteAt = r * stride;
      for (let a = fullWords * 4; a < active.length; a++) {
        const f = active[a]!;
        const k = (f * BINS + binned[byteAt + f]!) << 1;
        hist[k] = hist[k]! + g;
        hist[k + 1] = hist[k + 1]! + h;
      }
    }
  };
  const leafValue = (g: number, h: number): number => (o.learningRate * -g) / (h + o.lambda);
  const settle = (node: number, start: number, end: number): void => {
    for (let i = start; i < end; i++) leafOf[rows[i]!] = node;
  };
  const pending: Pending[] = [];
  /** Finds a node's best split and queues it, or settles it as a leaf. */
  const consider = (
    node: number,
    start: number,
    end: number,
    depth: number,
    hist: Float64Array,
    g: number,
    h: number,
  ): void => {
    const split =
      depth < o.maxDepth && h >= 2 * o.minChildWeight && end - start >= 2 ? bestSplit(hist, g, h) : null;
    if (split === null) {
      settle(node, start, end);
      pool.push(hist);
      return;
    }
    pending.push({ node, start, end, depth, hist, g, h, ...split });
  };
  const bestSplit = (
    hist: Float64Array,
    g: number,
    h: number,
  ): { gain: number; feature: number; bin: number; gl: number; hl: number } | null => {
    const parentScore = (g * g) / (h + o.lambda);
    let gain = 1e-12;
    let feature = -1;
    let bin = -1;
    let bestGL = 0;
    let bestHL = 0;
    for (let a = 0; a < active.length; a++) {
      const f = active[a]!;
      const bins = binning.edges[f]!.length + 1;
      const at = f * BINS * 2;
      let gl = 0;
      let hl = 0;
      for (let b = 0; b < bins - 1; b++) {
        gl += hist[at + 2 * b]!;
        hl += hist[at + 2 * b + 1]!;
        if (hl < o.minChildWeight) continue;
        const hr = h - hl;
        if (hr < o.minChildWeight) break;
        const gr = g - gl;
        const candidate = (gl * gl) / (hl + o.lambda) + (gr * gr) / (hr + o.lambda) - parentScore;
        if (candidate > gain) {
          gain = candidate;
          feature = f;
          bin = b;
          bestGL = gl;
          bestHL = hl;
        }
      }
    }
    return feature < 0 ? null : { gain, feature, bin, gl: bestGL, hl: bestHL };
  };
  /** Without a leaf budget, depth-first (last in, first out: few histograms alive); with one, best gain first
   * (leaf-wise, as LightGBM's num_leaves), so the budget goes to the splits that help most. */
  const next = (): Pending => {
    if (o.maxLeaves === Infinity) return pending.pop()!;
    let best = 0;
    for (let i = 1; i < pending.length; i++) if (pending[i]!.gain > pending[best]!.gain) best = i;
    const p = pending[best]!;
    pending[best] = pending[pending.length - 1]!;
    pending.pop();
    return p;
  };

  let g0 = 0;
  let h0 = 0;
  for (let i = 0; i < rows.length; i++) {
    g0 += grad[rows[i]!]!;
    h0 += hess[rows[i]!]!;
  }
  const root = addNode(tree, leafValue(g0, h0));
  const rootHist = takeHist();
  buildHist(0, rows.length, rootHist);
  consider(root, 0, rows.length, 0, rootHist, g0, h0);

  let leaves = 1;
  while (pending.length > 0) {
    const p = next();
    if (leaves >= o.maxLeaves) {
      settle(p.node, p.start, p.end);
      pool.push(p.hist);
      continue;
    }
    // stable partition of rows[start, end): bin <= p.bin first
    let l = p.start;
    let r = 0;
    const column = p.feature * n;
    for (let i = p.start; i < p.end; i++) {
      // branch-free: the side is a coin flip the predictor would miss half the time (l <= i, so rows[l] is read)
      const row = rows[i]!;
      const left = +(columns[column + row]! <= p.bin);
      rows[l] = row;
      scratch[r] = row;
      l += left;
      r += 1 - left;
    }
    rows.set(scratch.subarray(0, r), l);
    const gr = p.g - p.gl;
    const hr = p.h - p.hl;
    const leftNode = addNode(tree, leafValue(p.gl, p.hl));
    addNode(tree, leafValue(gr, hr));
    leaves++;
    tree.feature[p.node] = p.feature;
    tree.threshold[p.node] = binning.edges[p.feature]![p.bin]!;
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
    // right first, so that depth-first growth pops the left child next
    consider(leftNode + 1, l, p.end, p.depth + 1, leftSmaller ? large : small, gr, hr);
    consider(leftNode, p.start, l, p.depth + 1, leftSmaller ? small : large, p.gl, p.hl);
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
