/**
 * Evaluation metrics as small tested functions (scikit-learn's definitions). O(n log n), ties handled.
 */

type Scores = ArrayLike<number>;
type Labels = ArrayLike<number>;

/** Indices sorted by score, highest first. */
function byScoreDescending(scores: Scores): Uint32Array {
  const order = new Uint32Array(scores.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  return order.sort((a, b) => scores[b]! - scores[a]!);
}

/**
 * Area under the ROC curve: the probability that a random positive outscores a random negative, ties counting
 * one half (the Mann-Whitney statistic with mid-ranks). NaN when either class is absent.
 */
export function rocAuc(scores: Scores, labels: Labels): number {
  const order = byScoreDescending(scores);
  let positives = 0;
  let negatives = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i]! > 0) positives++;
    else negatives++;
  }
  if (positives === 0 || negatives === 0) return NaN;
  // Walk from the highest score; for each group of tied scores, every negative in it beats the positives seen
  // above (0) and ties with the positives inside the group (1/2 each).
  let positivesAbove = 0;
  let wins = 0;
  let i = 0;
  while (i < order.length) {
    let j = i;
    let groupPositives = 0;
    let groupNegatives = 0;
    while (j < order.length && scores[order[j]!] === scores[order[i]!]) {
      if (labels[order[j]!]! > 0) groupPositives++;
      else groupNegatives++;
      j++;
    }
    wins += groupNegatives * (positivesAbove + groupPositives / 2);
    positivesAbove += groupPositives;
    i = j;
  }
  return wins / (positives * negatives);
}

/**
 * Average precision: sum over distinct thresholds of (R_n - R_{n-1}) * P_n, tied scores forming one threshold.
 * NaN without positives.
 */
export function averagePrecision(scores: Scores, labels: Labels): number {
  const order = byScoreDescending(scores);
  let positives = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i]! > 0) positives++;
  if (positives === 0) return NaN;
  let tp = 0;
  let seen = 0;
  let ap = 0;
  let i = 0;
  while (i < order.length) {
    let j = i;
    let groupPositives = 0;
    while (j < order.length && scores[order[j]!] === scores[order[i]!]) {
      if (labels[order[j]!]! > 0) groupPositives++;
      j++;
    }
    tp += groupPositives;
    seen += j - i;
    if (groupPositives > 0) ap += (groupPositives / positives) * (tp / seen);
    i = j;
  }
  return ap;
}

export interface ThresholdMetrics {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
  precision: number;
  recall: number;
  fpr: number;
}

/** Counts and rates when everything scoring >= threshold is flagged. Precision is 0 when nothing is flagged. */
export function precisionRecallAt(scores: Scores, labels: Labels, threshold: number): ThresholdMetrics {
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  for (let i = 0; i < scores.length; i++) {
    const flagged = scores[i]! >= threshold;
    const fraud = labels[i]! > 0;
    if (flagged && fraud) tp++;
    else if (flagged) fp++;
    else if (fraud) fn++;
    else tn++;
  }
  return {
    tp,
    fp,
    tn,
    fn,
    precision: tp + fp > 0 ? tp / (tp + fp) : 0,
    recall: tp + fn > 0 ? tp / (tp + fn) : 0,
    fpr: fp + tn > 0 ? fp / (fp + tn) : 0,
  };
}

export interface DailyScores {
  scores: Scores;
  labels: Labels;
  /** Day index of each row (e.g. floor(timestamp / 86,400,000)). */
  days: ArrayLike<number>;
  /** Account (card) of each row: an id or an index. */
  accounts: ArrayLike<number | string>;
}

export interface DailyScoreRow {
  day: number;
  account: string | number;
  score: number;
  label: 0 | 1;
}

/**
 * Card precision@k (Le Borgne et al.'s card-based precision top-k). For each day: rank the accounts that
 * transacted that day by their highest score of the day, take the top k, count those with at least one fraud
 * that day, divide by k (a day with fewer than k accounts still divides by k). An account counts as caught once
 * it made a day's top k with a fraud that day; caught accounts are left out of all later days (their card would
 * be blocked). The result is the mean over days. Ties in the best score are broken by first appearance.
 */
export function cardPrecisionAtK(rows: DailyScores | readonly DailyScoreRow[], k = 100): number {
  const columns: DailyScores = Array.isArray(rows)
    ? {
        scores: rows.map((r) => r.score),
        labels: rows.map((r) => r.label),
        days: rows.map((r) => r.day),
        accounts: rows.map((r) => r.account),
      }
    : (rows as DailyScores);
  const n = columns.scores.length;
  if (n === 0) return NaN;
  const { scores, labels, days, accounts } = columns;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => days[a]! - days[b]! || a - b);
  const caught = new Set<number | string>();
  let total = 0;
  let dayCount = 0;
  let i = 0;
  while (i < n) {
    const day = days[order[i]!]!;
    // per account of the day: best score, any fraud, first appearance
    const best = new Map<number | string, { score: number; fraud: boolean; first: number }>();
    for (; i < n && days[order[i]!] === day; i++) {
      const r = order[i]!;
      const account = accounts[r]!;
      if (caught.has(account)) continue;
      const entry = best.get(account);
      const fraud = labels[r]! > 0;
      if (entry === undefined) best.set(account, { score: scores[r]!, fraud, first: i });
      else {
        if (scores[r]! > entry.score) entry.score = scores[r]!;
        if (fraud) entry.fraud = true;
      }
    }
    const ranked = [...best.entries()]
      .sort((a, b) => b[1].score - a[1].score || a[1].first - b[1].first)
      .slice(0, k);
    let hits = 0;
    for (const [account, entry] of ranked) {
      if (!entry.fraud) continue;
      hits++;
      caught.add(account);
    }
    total += hits / k;
    dayCount++;
  }
  return total / dayCount;
}
