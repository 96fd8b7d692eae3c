import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FEATURE_NAMES } from '../../src/engine/features/catalog.ts';
import { modelFromJSON } from '../../src/models/artifact.ts';
import { fitGbdt, Gbdt } from '../../src/models/gbdt.ts';
import { averagePrecision, rocAuc } from '../../src/models/metrics.ts';
import { Random } from '../../src/simulator/random.ts';

// scattered catalog names, so the engine mapping is not the identity
const names = [9, 2, 27, 14].map((i) => FEATURE_NAMES[i]!);

/** XOR of the signs of two columns, plus two noise columns and 2 % label noise. */
function xor(n: number, seed: number): { X: Float64Array; y: Uint8Array } {
  const rng = new Random(seed);
  const X = new Float64Array(n * 4);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    for (let f = 0; f < 4; f++) X[i * 4 + f] = rng.normal();
    const label = X[i * 4]! > 0 !== X[i * 4 + 1]! > 0 ? 1 : 0;
    y[i] = rng.chance(0.02) ? 1 - label : label;
  }
  return { X, y };
}

/** 1 % positives whose first and third columns are shifted. */
function imbalanced(n: number, seed: number): { X: Float64Array; y: Uint8Array } {
  const rng = new Random(seed);
  const X = new Float64Array(n * 4);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = rng.chance(0.01) ? 1 : 0;
    for (let f = 0; f < 4; f++)
      X[i * 4 + f] = rng.normal() + (y[i] && f === 0 ? 2 : 0) + (y[i] && f === 2 ? 1 : 0);
  }
  return { X, y };
}

const train = xor(8000, 1);
const held = xor(4000, 2);

/** The engine's feature vector holding row i of a 4-column matrix in `names`' places. */
function engineVector(X: Float64Array, i: number): Float64Array {
  const vector = new Float64Array(FEATURE_NAMES.length).fill(-1e9); // columns the model ignores
  for (let f = 0; f < 4; f++) vector[FEATURE_NAMES.indexOf(names[f]!)] = X[i * 4 + f]!;
  return vector;
}

test('fits XOR, which one split per tree cannot', () => {
  const model = fitGbdt(train.X, train.y, 8000, 4, { rounds: 60, maxDepth: 3, featureNames: names, seed: 1 });
  const auc = rocAuc(model.predictBatch(held.X, 4000), held.y);
  assert.ok(auc > 0.95, `XOR AUC ${auc}`);
  const stump = fitGbdt(train.X, train.y, 8000, 4, { rounds: 60, maxDepth: 1, featureNames: names, seed: 1 });
  const stumpAuc = rocAuc(stump.predictBatch(held.X, 4000), held.y);
  assert.ok(stumpAuc < 0.6, `depth-1 trees cannot model XOR: ${stumpAuc}`);
});

test('boosting beats a single tree of the same depth on held-out data (curved boundary)', () => {
  const circle = (n: number, seed: number): { X: Float64Array; y: Uint8Array } => {
    const { X } = xor(n, seed);
    const y = new Uint8Array(n);
    for (let i = 0; i < n; i++) y[i] = X[i * 4]! ** 2 + X[i * 4 + 1]! ** 2 < 1.4 ? 1 : 0;
    return { X, y };
  };
  const tr = circle(8000, 5);
  const te = circle(4000, 6);
  const boosted = fitGbdt(tr.X, tr.y, 8000, 4, { rounds: 80, maxDepth: 3, featureNames: names });
  const single = fitGbdt(tr.X, tr.y, 8000, 4, { rounds: 1, maxDepth: 3, featureNames: names });
  const a = rocAuc(boosted.predictBatch(te.X, 4000), te.y);
  const b = rocAuc(single.predictBatch(te.X, 4000), te.y);
  assert.ok(a > 0.97 && a > b + 0.03, `boosted ${a} vs single tree ${b}`);
});

test("imbalanced data: high AUC, positive weighting raises the positives' scores", () => {
  const tr = imbalanced(20_000, 3);
  const te = imbalanced(10_000, 4);
  const plain = fitGbdt(tr.X, tr.y, 20_000, 4, { rounds: 80, maxDepth: 3, featureNames: names });
  const weighted = fitGbdt(tr.X, tr.y, 20_000, 4, {
    rounds: 80,
    maxDepth: 3,
    scalePosWeight: 20,
    featureNames: names,
  });
  const auc = rocAuc(weighted.predictBatch(te.X, 10_000), te.y);
  assert.ok(auc > 0.9, `AUC ${auc}`);
  const meanPositive = (m: Gbdt): number => {
    const p = m.predictBatch(te.X, 10_000);
    let s = 0;
    let k = 0;
    for (let i = 0; i < p.length; i++) {
      if (!te.y[i]) continue;
      s += p[i]!;
      k++;
    }
    return s / k;
  };
  assert.ok(
    meanPositive(weighted) > meanPositive(plain) * 2,
    'weighting shifts probability to the rare class',
  );
});

test('early stopping keeps the trees up to the best validation round', () => {
  const options = { maxDepth: 4, learningRate: 0.3, featureNames: names };
  const model = fitGbdt(train.X, train.y, 8000, 4, {
    ...options,
    rounds: 500,
    earlyStoppingRounds: 10,
    validation: { X: held.X, y: held.y, n: 4000 },
  });
  assert.ok(model.trees < 100 && model.trees > 3, `kept ${model.trees} trees`);
  // the kept trees are exactly the first rounds of an unstopped run
  const plain = fitGbdt(train.X, train.y, 8000, 4, { ...options, rounds: model.trees });
  assert.deepEqual(model.predictBatch(held.X, 4000), plain.predictBatch(held.X, 4000));
  const longer = fitGbdt(train.X, train.y, 8000, 4, { ...options, rounds: model.trees + 10 });
  const scores = model.predictBatch(held.X, 4000);
  assert.ok(Math.abs(model.metrics.validation_auc! - rocAuc(scores, held.y)) < 1e-12);
  assert.ok(Math.abs(model.metrics.validation_average_precision! - averagePrecision(scores, held.y)) < 1e-12);
  const loss = (m: Gbdt): number => {
    const p = m.predictBatch(held.X, 4000);
    let s = 0;
    for (let i = 0; i < 4000; i++) s -= Math.log(held.y[i] ? p[i]! : 1 - p[i]!);
    return s / 4000;
  };
  assert.ok(Math.abs(loss(model) - model.metrics.validation_logloss!) < 1e-9);
  assert.ok(loss(longer) >= loss(model), 'the rounds after the best did not improve validation loss');
});

test('path contributions add up to the margin exactly; explain names the deciding columns', () => {
  const model = fitGbdt(train.X, train.y, 8000, 4, {
    rounds: 30,
    maxDepth: 3,
    featureNames: names,
    rowSubsample: 0.8,
    seed: 1,
  });
  for (let i = 0; i < 200; i++) {
    const { bias, values } = model.contributions(held.X, i * 4);
    const sum = bias + values.reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(sum - model.marginRow(held.X, i * 4)) < 1e-9, `row ${i}`);
  }
  const weight = new Map<string, number>();
  for (let i = 0; i < 200; i++) {
    const all = model.explain(engineVector(held.X, i), 4);
    const { bias } = model.contributions(held.X, i * 4);
    const sum = bias + all.reduce((a, c) => a + c.contribution, 0);
    assert.ok(Math.abs(sum - model.marginRow(held.X, i * 4)) < 1e-9, `explain, row ${i}`);
    for (let k = 1; k < all.length; k++) {
      assert.ok(
        Math.abs(all[k]!.contribution) <= Math.abs(all[k - 1]!.contribution),
        'sorted by |contribution|',
      );
    }
    assert.equal(all[0]!.value, held.X[i * 4 + names.indexOf(all[0]!.feature)]);
    for (const c of all) weight.set(c.feature, (weight.get(c.feature) ?? 0) + Math.abs(c.contribution));
  }
  // explain is the contributions, largest |value| first (ties: the earlier column), cut to `top`
  for (let i = 0; i < 200; i++) {
    const { values } = model.contributions(held.X, i * 4);
    const order = [0, 1, 2, 3]
      .filter((f) => values[f] !== 0)
      .sort((a, b) => Math.abs(values[b]!) - Math.abs(values[a]!) || a - b);
    for (const top of [1, 2, 4]) {
      assert.deepEqual(
        model.explain(engineVector(held.X, i), top),
        order
          .slice(0, top)
          .map((f) => ({ feature: names[f], value: held.X[i * 4 + f], contribution: values[f] })),
        `row ${i}, top ${top}`,
      );
    }
  }
  // XOR is decided by the first two columns: they carry most of the attribution
  const signal = weight.get(names[0]!)! + weight.get(names[1]!)!;
  const noise = (weight.get(names[2]!) ?? 0) + (weight.get(names[3]!) ?? 0);
  assert.ok(signal > 5 * noise, `signal ${signal} vs noise ${noise}`);
});

test('a leaf budget goes to the best split first (leaf-wise), and 2 leaves is a stump', () => {
  // x0 > 0 separates most; among x0 > 0, x1 > -1 decides every label; among x0 <= 0, x2 shifts rare odds a little
  const rng = new Random(9);
  const n = 6000;
  const X = new Float64Array(n * 4);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    for (let f = 0; f < 4; f++) X[i * 4 + f] = rng.normal();
    const odds = X[i * 4 + 2]! > 0 ? 0.3 : 0.02;
    y[i] = (X[i * 4]! > 0 ? X[i * 4 + 1]! > -1 : rng.chance(odds)) ? 1 : 0;
  }
  const three = fitGbdt(X, y, n, 4, { rounds: 1, maxDepth: 6, maxLeaves: 3, featureNames: names });
  const splits = (three.toJSON().trees as { feature: number[] }).feature.filter((f) => f >= 0);
  assert.deepEqual(
    splits,
    [0, 1],
    'root on x0, then the right child on x1 (depth-first would split the left child first)',
  );
  const two = fitGbdt(X, y, n, 4, { rounds: 5, maxDepth: 6, maxLeaves: 2, featureNames: names });
  const stump = fitGbdt(X, y, n, 4, { rounds: 5, maxDepth: 1, featureNames: names });
  assert.deepEqual(two.predictBatch(X, n), stump.predictBatch(X, n));
});

test('depth and leaf limits hold for every tree', () => {
  const model = fitGbdt(train.X, train.y, 8000, 4, {
    rounds: 10,
    maxDepth: 6,
    maxLeaves: 5,
    featureNames: names,
  });
  const counts = model.leafCounts();
  assert.equal(counts.length, 10);
  for (const c of counts) assert.ok(c <= 5 && c >= 2, `${c} leaves`);
  const deep = fitGbdt(train.X, train.y, 8000, 4, { rounds: 3, maxDepth: 3, featureNames: names });
  for (const c of deep.leafCounts()) assert.ok(c <= 8 && c > 4, `${c} leaves at depth 3`);
});

test('JSON round trip gives identical scores and reasons; bad artifacts are refused clearly', () => {
  const model = fitGbdt(train.X, train.y, 8000, 4, {
    rounds: 20,
    maxDepth: 4,
    featureNames: names,
    rowSubsample: 0.8,
    colSubsample: 0.75,
    validation: { X: held.X, y: held.y, n: 4000 },
  });
  const json = model.toJSON();
  const copy = modelFromJSON(JSON.parse(JSON.stringify(json)));
  assert.ok(copy instanceof Gbdt);
  assert.deepEqual(copy.predictBatch(held.X, 4000), model.predictBatch(held.X, 4000));
  assert.deepEqual(copy.metrics, model.metrics);
  for (let i = 0; i < 50; i++) {
    const vector = engineVector(held.X, i);
    assert.equal(copy.predict(vector), model.predictRow(held.X, i * 4));
    assert.deepEqual(copy.explain(vector, 3), model.explain(vector, 3));
  }
  assert.throws(
    () => Gbdt.fromJSON({ ...json, format_version: 0 }),
    /gbdt artifact: format_version must be 1/,
  );
  assert.throws(() => Gbdt.fromJSON({ ...json, trees: undefined }), /gbdt artifact: trees are missing/);
  const trees = json.trees as Record<string, number[]>;
  assert.throws(
    () => Gbdt.fromJSON({ ...json, trees: { ...trees, value: undefined } }),
    /trees\.value must be/,
  );
  const badFeature = { ...json, trees: { ...trees, feature: trees.feature!.map((f) => (f >= 0 ? 7 : f)) } };
  assert.throws(() => Gbdt.fromJSON(badFeature), /gbdt artifact: tree node \d+: feature 7/);
  const short = { ...json, trees: { ...trees, threshold: trees.threshold!.slice(1) } };
  assert.throws(() => Gbdt.fromJSON(short), /gbdt artifact: tree arrays differ in length/);
  assert.throws(() => modelFromJSON({ ...json, kind: 'forest' }), /unknown kind "forest"/);
  assert.throws(
    () => modelFromJSON({ ...json, feature_names: ['a', 'b', 'c', 'd'] }),
    /a, b, c, d are not in/,
  );
});
