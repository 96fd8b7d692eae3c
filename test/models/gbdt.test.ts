import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FEATURE_NAMES } from '../../src/engine/features/catalog.ts';
import { fitGbdt, Gbdt } from '../../src/models/gbdt.ts';
import { rocAuc } from '../../src/models/metrics.ts';
import { Random } from '../../src/simulator/random.ts';

const names = FEATURE_NAMES.slice(0, 4);

/** XOR of the signs of two columns, plus two noise columns and 5 % label noise. */
function xor(n: number, seed: number): { X: Float64Array; y: Uint8Array } {
  const rng = new Random(seed);
  const X = new Float64Array(n * 4);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    for (let f = 0; f < 4; f++) X[i * 4 + f] = rng.normal();
    const label = X[i * 4]! > 0 !== X[i * 4 + 1]! > 0 ? 1 : 0;
    y[i] = rng.chance(0.05) ? 1 - label : label;
  }
  return { X, y };
}

/** 1 % positives whose first column is shifted. */
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

test('fits XOR, which one split cannot, and beats a single tree on held-out data', () => {
  const model = fitGbdt(train.X, train.y, 8000, 4, { rounds: 60, maxDepth: 3, featureNames: names, seed: 1 });
  const auc = rocAuc(model.predictBatch(held.X, 4000), held.y);
  assert.ok(auc > 0.9, `XOR AUC ${auc}`);
  const stump = fitGbdt(train.X, train.y, 8000, 4, { rounds: 60, maxDepth: 1, featureNames: names, seed: 1 });
  const stumpAuc = rocAuc(stump.predictBatch(held.X, 4000), held.y);
  assert.ok(stumpAuc < 0.6, `depth-1 trees cannot model XOR: ${stumpAuc}`);
});

test('boosting beats a single tree of the same depth on a curved boundary', () => {
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

test('early stopping stops when the validation loss stops improving', () => {
  const model = fitGbdt(train.X, train.y, 8000, 4, {
    rounds: 500,
    maxDepth: 4,
    learningRate: 0.3,
    earlyStoppingRounds: 10,
    validation: { X: held.X, y: held.y, n: 4000 },
    featureNames: names,
  });
  assert.ok(model.trees < 500 && model.trees > 3, `kept ${model.trees} trees`);
  assert.ok(model.metrics.validation_logloss! > 0);
});

test('path contributions add up to the margin exactly; explain names the deciding columns', () => {
  const model = fitGbdt(train.X, train.y, 8000, 4, { rounds: 30, maxDepth: 3, featureNames: names, seed: 1 });
  for (let i = 0; i < 200; i++) {
    const { bias, values } = model.contributions(held.X, i * 4);
    const p = model.predictRow(held.X, i * 4);
    const margin = Math.log(p / (1 - p));
    const sum = bias + values.reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(sum - margin) < 1e-9, `row ${i}: ${sum} vs ${margin}`);
  }
  const vector = new Float64Array(FEATURE_NAMES.length);
  for (let f = 0; f < 4; f++) vector[f] = held.X[f]!;
  const top = model.explain(vector, 2).map((c) => c.feature);
  for (const name of top)
    assert.ok([names[0], names[1]].includes(name), `XOR is decided by the first two columns: ${top}`);
});

test('JSON round trip gives identical scores; bad artifacts are refused clearly', () => {
  const model = fitGbdt(train.X, train.y, 8000, 4, {
    rounds: 20,
    maxDepth: 4,
    featureNames: names,
    rowSubsample: 0.8,
    colSubsample: 0.75,
  });
  const copy = Gbdt.fromJSON(JSON.parse(JSON.stringify(model.toJSON())));
  assert.deepEqual(copy.predictBatch(held.X, 4000), model.predictBatch(held.X, 4000));
  const vector = new Float64Array(FEATURE_NAMES.length);
  for (let f = 0; f < 4; f++) vector[f] = held.X[f]!;
  assert.equal(copy.predict(vector), model.predictRow(held.X, 0));
  assert.throws(() => Gbdt.fromJSON({ ...model.toJSON(), format_version: 0 }), /format_version must be 1/);
  assert.throws(() => Gbdt.fromJSON({ ...model.toJSON(), trees: {} }), /trees are missing/);
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
  for (const c of deep.leafCounts()) assert.ok(c <= 8, `${c} leaves at depth 3`);
});
