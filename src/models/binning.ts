/**
 * Quantile binning for histogram-based trees: each column's values map to at most 255 bins by cut points taken
 * from the sorted values of a sample. A value v falls in the first bin whose upper edge is >= v; a split "bin
 * <= b" is therefore the real threshold "v <= edges[b]".
 */

export const MAX_BINS = 255;

export interface Binning {
  /** Per column, ascending upper edges; the last bin takes everything above the last edge. */
  edges: Float64Array[];
}

/**
 * Cut points per column. With `labels`, a quarter of the bins come from the quantiles of the positive rows:
 * fraud is rare, so the overall quantiles spend few cuts where it lives (the tail of an amount, say), and a
 * split there could only fall between two wide bins.
 */
export function fitBinning(
  X: Float64Array,
  n: number,
  d: number,
  maxBins = MAX_BINS,
  sampleRows = 200_000,
  labels?: ArrayLike<number>,
): Binning {
  const step = Math.max(1, Math.floor(n / sampleRows));
  const edges: Float64Array[] = [];
  const values = new Float64Array(Math.ceil(n / step));
  const positiveRows: number[] = [];
  if (labels) for (let i = 0; i < n; i++) if (labels[i]! > 0) positiveRows.push(i);
  const positives = new Float64Array(positiveRows.length);
  const positiveBins = positiveRows.length >= 2 * MIN_ROWS_PER_POSITIVE_BIN ? Math.floor(maxBins / 4) : 0;
  for (let f = 0; f < d; f++) {
    let m = 0;
    for (let i = 0; i < n; i += step) {
      const v = X[i * d + f]!;
      if (v === v) values[m++] = v; // NaN has no place among the edges (it always goes to bin 0)
    }
    const sorted = values.subarray(0, m).slice().sort();
    let cuts: number[] = [];
    // distinct values: when few, each gets a bin
    let distinct = 0;
    for (let i = 0; i < m && distinct <= maxBins; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) distinct++;
    if (distinct <= maxBins) {
      for (let i = 0; i < m; i++) if (i === m - 1 || sorted[i] !== sorted[i + 1]) cuts.push(sorted[i]!);
      cuts.pop(); // the top value needs no upper edge
    } else {
      cuts = quantileCuts(sorted, maxBins - positiveBins);
      if (positiveBins > 0) {
        let p = 0;
        for (const i of positiveRows) {
          const v = X[i * d + f]!;
          if (v === v) positives[p++] = v;
        }
        const extra = quantileCuts(positives.subarray(0, p).slice().sort(), positiveBins);
        cuts = mergeCuts(cuts, extra, maxBins - 1);
      }
    }
    edges.push(Float64Array.from(cuts));
  }
  return { edges };
}

/** Fewer positives than this per bin and their quantiles are noise. */
const MIN_ROWS_PER_POSITIVE_BIN = 8;

/** Up to bins - 1 ascending distinct cut points at the quantiles of sorted values. */
function quantileCuts(sorted: Float64Array, bins: number): number[] {
  const m = sorted.length;
  const cuts: number[] = [];
  if (m === 0) return cuts;
  for (let b = 1; b < bins; b++) {
    const v = sorted[Math.floor((b * m) / bins)]!;
    if (cuts.length === 0 || v > cuts[cuts.length - 1]!) cuts.push(v);
  }
  return cuts;
}

/** The union of two ascending cut lists, distinct, at most `max` (the first list's cuts win when over). */
function mergeCuts(a: number[], b: number[], max: number): number[] {
  const merged = [...new Set([...a, ...b])].sort((x, y) => x - y);
  if (merged.length <= max) return merged;
  const keep = new Set(a);
  const extra = merged.filter((v) => !keep.has(v)).slice(0, Math.max(0, max - a.length));
  return [...new Set([...a, ...extra])].sort((x, y) => x - y);
}

export function binOf(edges: Float64Array, v: number): number {
  // Lower bound without data-dependent branches (a branchy search mispredicts on every other step): the loop
  // runs a fixed number of times for a given column. NaN compares false everywhere and lands in bin 0.
  let lo = 0;
  let len = edges.length;
  if (len === 0) return 0;
  while (len > 1) {
    const half = len >>> 1;
    lo += half * +(edges[lo + half - 1]! < v);
    len -= half;
  }
  return lo + +(edges[lo]! < v);
}

/** A matrix of bins in the two layouts the tree growth reads. */
export interface BinnedMatrix {
  n: number;
  d: number;
  binning: Binning;
  /** Row-major bins, each row padded to `stride` bytes (a multiple of 4): a row's bins are one contiguous run,
   * read once per row when a node's histogram is built, four to a 32-bit load (`words`). */
  rows: Uint8Array;
  words: Uint32Array;
  stride: number;
  /** Column-major bins: a split's partition reads one contiguous column instead of one byte per row line. */
  columns: Uint8Array;
}

export function binData(X: Float64Array, n: number, d: number, binning: Binning): BinnedMatrix {
  const stride = (d + 3) & ~3;
  const rows = new Uint8Array(n * stride);
  const columns = new Uint8Array(n * d);
  // column by column: the search loop runs the same number of times for every value of a column
  for (let f = 0; f < d; f++) {
    const edges = binning.edges[f]!;
    const column = columns.subarray(f * n, (f + 1) * n);
    for (let i = 0; i < n; i++) column[i] = binOf(edges, X[i * d + f]!);
  }
  for (let f = 0; f < d; f++) for (let i = 0; i < n; i++) rows[i * stride + f] = columns[f * n + i]!;
  return { n, d, binning, rows, words: new Uint32Array(rows.buffer, 0, (n * stride) >> 2), stride, columns };
}
