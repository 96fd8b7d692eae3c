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
  /** Account (card) index of each row. */
  accounts: ArrayLike<number>;
}

/**
 * Card precision@k (Le Borgne et al.): for each day, rank the accounts by their highest score that day, take the
 * top k, and count those with a fraud that day; divide by k; average over days. An account with a fraud that was
 * in an earlier day's top k counts as caught: it is left out of later days (its card is blocked).
 */
export function cardPrecisionAtK(rows: DailyScores, k: number): number {
  const n = rows.scores.length;
  if (n === 0) return NaN;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => rows.days[a]! - rows.days[b]! || a - b);
  const caught = new Set<number>();
  let total = 0;
  let dayCount = 0;
  let i = 0;
  while (i < n) {
    const day = rows.days[order[i]!]!;
    const best = new Map<number, { score: number; fraud: boolean }>();
    while (i < n && rows.days[order[i]!] === day) {
      const r = order[i]!;
      const account = rows.accounts[r]!;
      if (!caught.has(account)) {
        const entry = best.get(account);
        const fraud = rows.labels[r]! > 0;
        if (entry === undefined) best.set(account, { score: rows.scores[r]!, fraud });
        else {
          if (rows.scores[r]! > entry.score) entry.score = rows.scores[r]!;
          if (fraud) entry.fraud = true;
        }
      }
      i++;
    }
    const ranked = [...best.entries()].sort((a, b) => b[1].score - a[1].score || a[0] - b[0]).slice(0, k);
    let hits = 0;
    for (const [account, entry] of ranked) {
      if (entry.fraud) {
        hits++;
        caught.add(account);
      }
    }
    total += hits / k;
    dayCount++;
  }
  return total / dayCount;
}
