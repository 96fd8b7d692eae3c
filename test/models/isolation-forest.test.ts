import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FEATURE_NAMES } from '../../src/engine/features/catalog.ts';
import { modelFromJSON } from '../../src/models/artifact.ts';
import { averagePathLength, fitIsolationForest, IsolationForest } from '../../src/models/isolation-forest.ts';
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

// scattered catalog names, in an order of their own, so the engine mapping is not the identity
const names = [12, 3, 30, 0, 21, 7, 35, 16].map((i) => FEATURE_NAMES[i]!);
const { X, y } = blob(10_000, 8, 3);
const forest = fitIsolationForest(X, 10_000, 8, { seed: 5, featureNames: names });
const scores = forest.predictBatch(X, 10_000);

test('c(n), the normaliser, matches the formula worked by hand', () => {
  assert.equal(averagePathLength(1), 0);
  assert.equal(averagePathLength(2), 1);
  // 2 (ln 255 + 0.5772156649) - 2 * 255 / 256 = 2 * 6.1184792 - 1.9921875
  assert.ok(Math.abs(averagePathLength(256) - 10.2447709) < 1e-6);
});

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

test('single-row and batch scoring agree', () => {
  for (let i = 0; i < 200; i++) {
    assert.ok(Math.abs(forest.predictRow(X, i * 8) - scores[i]!) < 1e-12, `row ${i}`);
  }
});

test('deterministic for a seed', () => {
  const again = fitIsolationForest(X, 10_000, 8, { seed: 5, featureNames: names });
  assert.deepEqual(again.predictBatch(X, 100), forest.predictBatch(X, 100));
  const other = fitIsolationForest(X, 10_000, 8, { seed: 6, featureNames: names });
  assert.notDeepEqual(other.predictBatch(X, 100), forest.predictBatch(X, 100));
});

test('predict on the engine vector reads the model columns by name', () => {
  const vector = new Float64Array(FEATURE_NAMES.length).fill(1e9); // columns the model ignores
  for (let i = 0; i < 50; i++) {
    for (let f = 0; f < 8; f++) vector[FEATURE_NAMES.indexOf(names[f]!)] = X[i * 8 + f]!;
    assert.equal(forest.predict(vector), forest.predictRow(X, i * 8), `row ${i}`);
  }
});

test('JSON round trip gives identical scores; bad artifacts are refused clearly', () => {
  const json = forest.toJSON();
  const copy = IsolationForest.fromJSON(JSON.parse(JSON.stringify(json)));
  assert.deepEqual(copy.predictBatch(X, 10_000), scores);
  assert.equal(modelFromJSON(JSON.parse(JSON.stringify(json))).name, 'iforest');
  assert.throws(() => IsolationForest.fromJSON({ ...json, format_version: 99 }), /format_version must be 1/);
  assert.throws(
    () => IsolationForest.fromJSON({ ...json, trees: undefined }),
    /iforest artifact: trees are missing/,
  );
  const trees = json.trees as Record<string, number[]>;
  const badLeft = { ...json, trees: { ...trees, left: trees.left!.map((l) => (l > 0 ? l + 1e6 : l)) } };
  assert.throws(() => IsolationForest.fromJSON(badLeft), /iforest artifact: tree node \d+: .* out of range/);
  assert.throws(() => IsolationForest.fromJSON({ ...json, sample_size: 'x' }), /sample_size/);
  assert.throws(() => IsolationForest.fromJSON({ ...json, feature_names: [] }), /feature_names/);
});

test('a model over columns the engine lacks scores its own rows but refuses the engine slot', () => {
  const own = fitIsolationForest(X, 2000, 8, { seed: 1, featureNames: names.map((n) => `x_${n}`) });
  assert.ok(own.predictRow(X, 0) > 0);
  assert.throws(() => own.predict(new Float64Array(FEATURE_NAMES.length)), /not in the engine's catalog/);
  assert.throws(
    () => modelFromJSON(own.toJSON()),
    /iforest artifact: features x_.* not in the engine's catalog/,
  );
});
