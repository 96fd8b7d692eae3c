import { test } from 'node:test';
import assert from 'node:assert/strict';
import { averagePrecision, cardPrecisionAtK, precisionRecallAt, rocAuc } from '../../src/models/metrics.ts';

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
