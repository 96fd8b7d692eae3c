import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FEATURE_NAMES } from '../../src/engine/features/catalog.ts';
import { fitIsolationForest, IsolationForest } from '../../src/models/isolation-forest.ts';
import { rocAuc } from '../../src/models/metrics.ts';
import { Random } from '../../src/simulator/random.ts';

/** A Gaussian blob with 1 % uniform outliers far around it. */
function blob(n: number, d: number, seed: number): { X: Float64Array; y: Uint8Array } {
  const rng = new Random(seed);
  const X = new Float64Array(n * d);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const outlier = rng.chance(0.01);
    y[i] = outlier ? 1 : 0;
    for (let f = 0; f < d; f++) X[i * d + f] = outlier ? rng.between(-6, 6) : rng.normal();
  }
  return { X, y };
}

const names = FEATURE_NAMES.slice(0, 8);
const { X, y } = blob(10_000, 8, 3);
const forest = fitIsolationForest(X, 10_000, 8, { seed: 5, featureNames: names });
const scores = forest.scoreBatch(X, 10_000);

test('separates planted outliers: AUC >= 0.95, scores in [0,1]', () => {
  const auc = rocAuc(scores, y);
  assert.ok(auc >= 0.95, `AUC ${auc}`);
  for (const s of scores) assert.ok(s > 0 && s < 1);
  let inlier = 0;
  let outlier = 0;
  for (let i = 0; i < y.length; i++)
    if (y[i]) outlier += scores[i]!;
    else inlier += scores[i]!;
  assert.ok(outlier / 100 > inlier / 9900 + 0.1, 'outliers score clearly higher on average');
});

test('deterministic for a seed', () => {
  const again = fitIsolationForest(X, 10_000, 8, { seed: 5, featureNames: names });
  assert.deepEqual(again.scoreBatch(X, 100), forest.scoreBatch(X, 100));
  const other = fitIsolationForest(X, 10_000, 8, { seed: 6, featureNames: names });
  assert.notDeepEqual(other.scoreBatch(X, 100), forest.scoreBatch(X, 100));
});

test('JSON round trip gives identical scores; bad artifacts are refused clearly', () => {
  const copy = IsolationForest.fromJSON(JSON.parse(JSON.stringify(forest.toJSON())));
  assert.deepEqual(copy.scoreBatch(X, 2000), forest.scoreBatch(X, 2000));
  assert.throws(
    () => IsolationForest.fromJSON({ ...forest.toJSON(), format_version: 99 }),
    /format_version must be 1/,
  );
  assert.throws(
    () => IsolationForest.fromJSON({ ...forest.toJSON(), trees: undefined }),
    /trees are missing/,
  );
});

test('predict on the engine vector reads the model columns by name', () => {
  const vector = new Float64Array(FEATURE_NAMES.length);
  for (let i = 0; i < 50; i++) {
    for (let f = 0; f < 8; f++) vector[FEATURE_NAMES.indexOf(names[f]!)] = X[i * 8 + f]!;
    assert.ok(Math.abs(forest.predict(vector) - scores[i]!) < 1e-12, `row ${i}`);
  }
});
