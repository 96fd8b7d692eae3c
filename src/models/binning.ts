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

export function fitBinning(
  X: Float64Array,
  n: number,
  d: number,
  maxBins = MAX_BINS,
  sampleRows = 200_000,
): Binning {
  const step = Math.max(1, Math.floor(n / sampleRows));
  const edges: Float64Array[] = [];
  const values = new Float64Array(Math.ceil(n / step));
  for (let f = 0; f < d; f++) {
    let m = 0;
    for (let i = 0; i < n; i += step) {
      const v = X[i * d + f]!;
      if (v === v) values[m++] = v; // NaN has no place among the edges (it always goes to bin 0)
    }
    const sorted = values.subarray(0, m).slice().sort();
    const cuts: number[] = [];
    // distinct values: when few, each gets a bin
    let distinct = 0;
    for (let i = 0; i < m && distinct <= maxBins; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) distinct++;
    if (distinct <= maxBins) {
      for (let i = 0; i < m; i++) if (i === m - 1 || sorted[i] !== sorted[i + 1]) cuts.push(sorted[i]!);
      cuts.pop(); // the top value needs no upper edge
    } else {
      for (let b = 1; b < maxBins; b++) {
        const v = sorted[Math.floor((b * m) / maxBins)]!;
        if (cuts.length === 0 || v > cuts[cuts.length - 1]!) cuts.push(v);
      }
    }
    edges.push(Float64Array.from(cuts));
  }
  return { edges };
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
