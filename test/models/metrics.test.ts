import { test } from 'node:test';
import assert from 'node:assert/strict';
import { averagePrecision, cardPrecisionAtK, precisionRecallAt, rocAuc } from '../../src/models/metrics.ts';
import { Random } from '../../src/simulator/random.ts';

const close = (a: number, b: number, what: string): void =>
  assert.ok(Math.abs(a - b) < 1e-12, `${what}: ${a} vs ${b}`);

test('ROC AUC by hand, ties counting one half', () => {
  // positives at 0.9 and 0.7; negatives at 0.8 and 0.6: 3 of 4 pairs ordered right
  close(rocAuc([0.9, 0.8, 0.7, 0.6], [1, 0, 1, 0]), 0.75, 'no ties');
  close(rocAuc([0.5, 0.5, 0.5, 0.5], [1, 0, 1, 0]), 0.5, 'all tied');
  // 0.9+ beats both negatives (2); 0.5+ ties 0.5- (1/2) and beats 0.1- (1): 3.5 / 4
  close(rocAuc([0.9, 0.5, 0.5, 0.1], [1, 1, 0, 0]), 0.875, 'one tie');
  close(rocAuc([0.1, 0.2], [1, 0]), 0, 'perfectly wrong');
  assert.ok(Number.isNaN(rocAuc([0.1, 0.2], [1, 1])), 'one class only');
});

test('average precision by hand (scikit-learn definition), tied scores as one threshold', () => {
  // thresholds 0.9 (P 1, dR 1/3), 0.7 (P 2/3, dR 1/3), 0.5 (P 3/5, dR 1/3): 1/3 + 2/9 + 1/5 = 34/45
  close(averagePrecision([0.9, 0.8, 0.7, 0.6, 0.5], [1, 0, 1, 0, 1]), 34 / 45, 'no ties');
  // 0.9 (P 1, dR 1/2), then the tied 0.5 group (P 2/3, dR 1/2): 1/2 + 1/3
  close(averagePrecision([0.9, 0.5, 0.5, 0.1], [1, 1, 0, 0]), 5 / 6, 'ties');
  assert.ok(Number.isNaN(averagePrecision([0.3], [0])));
});

test('precision, recall and false-positive rate at a threshold', () => {
  const m = precisionRecallAt([0.9, 0.6, 0.5, 0.4, 0.1], [1, 0, 1, 1, 0], 0.5);
  assert.deepEqual({ tp: m.tp, fp: m.fp, tn: m.tn, fn: m.fn }, { tp: 2, fp: 1, tn: 1, fn: 1 });
  close(m.precision, 2 / 3, 'precision');
  close(m.recall, 2 / 3, 'recall');
  close(m.fpr, 1 / 2, 'fpr');
  assert.equal(precisionRecallAt([0.1], [1], 0.5).precision, 0, 'nothing flagged');
});

test('card precision@k: per-day top k accounts by their best score, caught accounts leave', () => {
  // day 0: A .9 fraud, B .8 legit, C .1 fraud ; day 1: A .95 fraud (caught on day 0: left out), B .7 fraud, C .2
  const rows = {
    scores: [0.9, 0.8, 0.1, 0.95, 0.7, 0.2],
    labels: [1, 0, 1, 1, 1, 0],
    days: [0, 0, 0, 1, 1, 1],
    accounts: [0, 1, 2, 0, 1, 2],
  };
  // k=2: day 0 top {A, B} -> 1 hit; day 1 top {B, C} -> 1 hit => (0.5 + 0.5) / 2
  close(cardPrecisionAtK(rows, 2), 0.5, 'k=2');
  // k=1: day 0 {A} -> 1; day 1 {B} (A excluded) -> 1
  close(cardPrecisionAtK(rows, 1), 1, 'k=1');
  // an account's several transactions in a day count once, with its best score
  const multi = { scores: [0.2, 0.9, 0.5], labels: [0, 1, 0], days: [0, 0, 0], accounts: [7, 7, 8] };
  close(cardPrecisionAtK(multi, 1), 1, 'best score of the day');
  close(cardPrecisionAtK(multi, 2), 0.5, 'two accounts, one fraudulent');
});

test('AUC and average precision agree with their pairwise and per-threshold definitions on tied data', () => {
  const rng = new Random(4);
  const n = 400;
  const scores = Array.from({ length: n }, () => rng.int(20) / 20); // many ties
  const labels = Array.from({ length: n }, (_, i) => (rng.chance(0.2 + scores[i]! / 2) ? 1 : 0));
  let wins = 0;
  let pairs = 0;
  for (let i = 0; i < n; i++) {
    if (!labels[i]) continue;
    for (let j = 0; j < n; j++) {
      if (labels[j]) continue;
      pairs++;
      wins += scores[i]! > scores[j]! ? 1 : scores[i] === scores[j] ? 0.5 : 0;
    }
  }
  close(rocAuc(scores, labels), wins / pairs, 'pairwise AUC');
  // AP: for each distinct threshold t (descending), precision and recall of "score >= t"
  const positives = labels.reduce<number>((a, b) => a + b, 0);
  const thresholds = [...new Set(scores)].sort((a, b) => b - a);
  let ap = 0;
  let previousRecall = 0;
  for (const t of thresholds) {
    const m = precisionRecallAt(scores, labels, t);
    ap += (m.recall - previousRecall) * m.precision;
    previousRecall = m.recall;
    assert.equal(m.tp, labels.filter((y, i) => y && scores[i]! >= t).length);
  }
  assert.equal(previousRecall, 1);
  assert.ok(positives > 0);
  close(averagePrecision(scores, labels), ap, 'AP by thresholds');
});

test('card precision@k takes rows with string account ids, and divides by k on a thin day', () => {
  const rows = [
    { day: 3, account: 'card-a', score: 0.4, label: 1 as const },
    { day: 3, account: 'card-b', score: 0.9, label: 0 as const },
    { day: 4, account: 'card-a', score: 0.8, label: 1 as const },
    { day: 4, account: 'card-c', score: 0.7, label: 1 as const },
  ];
  // k=1: day 3 top {b} -> 0 (a is not caught); day 4 top {a} -> 1 => 0.5
  close(cardPrecisionAtK(rows, 1), 0.5, 'k=1');
  // k=5: day 3 {b, a} -> 1/5, a caught; day 4 {c} -> 1/5 => 0.2
  close(cardPrecisionAtK(rows, 5), 0.2, 'k=5');
});
