/**
 * What a model saw in training, kept in its artifact so live traffic can be compared with it: per input
 * column and for the score, the upper edges of (about) ten quantile bins and the share of training rows in
 * each. A value falls in the first bin whose upper edge is >= it, the last bin takes the rest, and a missing
 * value (NaN) has a bin of its own at the end, because "this feature is suddenly missing" is drift too.
 */

export const DRIFT_BINS = 10;

export interface ColumnProfile {
  name: string;
  /** Ascending upper edges; `shares` has edges.length + 2 entries (the bins, the top bin, missing). */
  edges: number[];
  shares: number[];
}

export interface DriftProfile {
  rows: number;
  columns: ColumnProfile[];
  score: ColumnProfile;
}

/** The bin of `value` among `edges` (binary search; missing values take the last bin). */
export function binOf(edges: ArrayLike<number>, value: number): number {
  const count = edges.length;
  if (value !== value) return count + 1;
  let lo = 0;
  let hi = count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (edges[mid]! >= value) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Quantile edges of `values` (NaN ignored), duplicates merged so that a constant column has one bin. */
export function quantileEdges(values: ArrayLike<number>, bins = DRIFT_BINS): number[] {
  const present: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v === v) present.push(v);
  }
  present.sort((a, b) => a - b);
  const edges: number[] = [];
  if (present.length === 0) return edges;
  const top = present[present.length - 1]!;
  for (let b = 1; b < bins; b++) {
    const edge = present[Math.min(present.length - 1, Math.floor((b * present.length) / bins))]!;
    // an edge equal to the top value would leave the top bin empty in training and full of nothing live
    if (edge < top && (edges.length === 0 || edge > edges[edges.length - 1]!)) edges.push(edge);
  }
  return edges;
}

/** The share of `values` in each bin of `edges` (bins, top bin, missing). */
export function binShares(edges: readonly number[], values: ArrayLike<number>): number[] {
  const counts = new Array<number>(edges.length + 2).fill(0);
  for (let i = 0; i < values.length; i++) counts[binOf(edges, values[i]!)]!++;
  const total = values.length || 1;
  return counts.map((c) => c / total);
}

function columnProfile(name: string, values: ArrayLike<number>, bins: number): ColumnProfile {
  const edges = quantileEdges(values, bins);
  return { name, edges, shares: binShares(edges, values) };
}

/**
 * The profile of a training matrix (row-major, n rows of d columns named `names`) and of the scores the
 * trained model gives those rows.
 */
export function buildDriftProfile(
  X: Float64Array,
  n: number,
  d: number,
  names: readonly string[],
  scores: ArrayLike<number>,
  bins = DRIFT_BINS,
): DriftProfile {
  if (names.length !== d) throw new Error(`drift profile: ${names.length} names for ${d} columns`);
  const column = new Float64Array(n);
  const columns: ColumnProfile[] = [];
  for (let f = 0; f < d; f++) {
    for (let i = 0; i < n; i++) column[i] = X[i * d + f]!;
    columns.push(columnProfile(names[f]!, column, bins));
  }
  return { rows: n, columns, score: columnProfile('score', scores, bins) };
}

function checkColumn(value: unknown, where: string): ColumnProfile {
  const c = value as Partial<ColumnProfile> | null;
  if (typeof c !== 'object' || c === null || typeof c.name !== 'string') {
    throw new Error(`${where}: needs a name, edges and shares`);
  }
  const { edges, shares } = c;
  const ascending = (e: unknown, i: number, all: unknown[]): boolean =>
    Number.isFinite(e) && (i === 0 || (e as number) > (all[i - 1] as number));
  if (!Array.isArray(edges) || !edges.every(ascending)) {
    throw new Error(`${where}.edges: must be ascending finite numbers`);
  }
  if (!Array.isArray(shares) || shares.length !== edges.length + 2) {
    throw new Error(`${where}.shares: must have ${edges.length + 2} entries (one per bin, and missing)`);
  }
  if (!shares.every((s) => Number.isFinite(s) && s >= 0 && s <= 1)) {
    throw new Error(`${where}.shares: must be numbers in [0, 1]`);
  }
  return { name: c.name, edges: edges as number[], shares: shares as number[] };
}

/** A profile read from an artifact, checked; throws naming the first bad field. */
export function driftProfileFromJSON(value: unknown): DriftProfile {
  const p = value as Partial<DriftProfile> | null;
  if (typeof p !== 'object' || p === null) throw new Error('drift_profile: not an object');
  if (!Number.isInteger(p.rows) || (p.rows as number) < 0) throw new Error('drift_profile.rows: not a count');
  if (!Array.isArray(p.columns)) throw new Error('drift_profile.columns: not a list');
  return {
    rows: p.rows as number,
    columns: p.columns.map((c, i) => checkColumn(c, `drift_profile.columns[${i}]`)),
    score: checkColumn(p.score, 'drift_profile.score'),
  };
}
