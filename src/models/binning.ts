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
    for (let i = 0; i < n; i += step) values[m++] = X[i * d + f]!;
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
  if (v !== v) return 0; // NaN goes left, as the scoring walk sends it (NaN > t is false)
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (edges[mid]! >= v) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** The binned matrix, row-major like X: a row's bins are 1 contiguous run of d bytes, so a node's rows are read
 * once each when its histogram is built. */
export function binMatrix(X: Float64Array, n: number, d: number, binning: Binning): Uint8Array {
  const out = new Uint8Array(n * d);
  for (let f = 0; f < d; f++) {
    const edges = binning.edges[f]!;
    for (let i = 0; i < n; i++) out[i * d + f] = binOf(edges, X[i * d + f]!);
  }
  return out;
}

/** The same bins column-major: a split's partition reads one contiguous column instead of one byte per row line. */
export function binColumns(binned: Uint8Array, n: number, d: number): Uint8Array {
  const out = new Uint8Array(n * d);
  for (let i = 0; i < n; i++) for (let f = 0; f < d; f++) out[f * n + i] = binned[i * d + f]!;
  return out;
}
