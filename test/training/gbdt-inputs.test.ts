/**
 * What the trained GBDT learns from: the anomaly score enters only through the final map, never as a tree input;
 * the rule score stays a tree input.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { F, FEATURE_COUNT } from '../../src/engine/features/catalog.ts';
import { Random } from '../../src/simulator/random.ts';
import { trainGbdt } from '../../src/training/trainers.ts';

/** Rows where fraud shows in the anomaly score, the rule score and the amount ratio, each noisily. */
function rows(n: number, seed: number): { X: Float64Array; y: Uint8Array } {
  const rng = new Random(seed);
  const X = new Float64Array(n * FEATURE_COUNT);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const fraud = rng.next() < 0.05;
    y[i] = fraud ? 1 : 0;
    const row = i * FEATURE_COUNT;
    X[row + F.anomalyScore] = (fraud ? 0.6 : 0.4) + 0.15 * rng.next();
    X[row + F.ruleScore] = fraud && rng.next() < 0.7 ? 0.5 : rng.next() < 0.05 ? 0.5 : 0;
    X[row + F.ratioHabit] = (fraud ? 3 : 1) * (0.5 + rng.next());
  }
  return { X, y };
}

test('the trees never split on the anomaly score; the map gives it weight, the trees use the rule score', () => {
  const { X, y } = rows(20_000, 7);
  const model = trainGbdt(X, y, 20_000, 1);
  assert.ok(model !== null);
  const vector = new Float64Array(FEATURE_COUNT);
  vector[F.ratioHabit] = 1.5;
  vector[F.ruleScore] = 0;
  vector[F.anomalyScore] = 0.4;
  const low = { margin: model.marginRow(vector), p: model.predict(vector) };
  vector[F.anomalyScore] = 0.75;
  const high = { margin: model.marginRow(vector), p: model.predict(vector) };
  assert.equal(high.margin, low.margin, 'the trees ignore the anomaly score');
  assert.ok(high.p > low.p, `the map raises the score with it (${low.p} -> ${high.p})`);
  vector[F.ruleScore] = 0.5;
  assert.ok(model.marginRow(vector) > high.margin, 'the trees split on the rule score');
});
