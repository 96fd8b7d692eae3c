import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  binOf,
  buildDriftProfile,
  driftProfileFromJSON,
  quantileEdges,
} from '../../src/models/drift-profile.ts';
import { DriftMonitor } from '../../src/ops/drift-monitor.ts';
import { populationStabilityIndex } from '../../src/ops/population-stability.ts';
import { Random } from '../../src/simulator/random.ts';
import { FEATURE_COUNT, FEATURE_NAMES } from '../../src/engine/features/catalog.ts';
import { modelFromJSON } from '../../src/models/artifact.ts';
import { IFOREST_FEATURES, trainIsolationForest } from '../../src/training/trainers.ts';

const HOUR = 3_600_000;

/** n rows of two columns: a log-normal amount (scaled by `amountScale`) and a 0/1 flag set with `flagRate`. */
function sample(random: Random, n: number, amountScale: number, flagRate: number): Float64Array {
  const X = new Float64Array(n * 2);
  for (let i = 0; i < n; i++) {
    X[i * 2] = amountScale * Math.exp(random.normal() * 0.8);
    X[i * 2 + 1] = random.next() < flagRate ? 1 : 0;
  }
  return X;
}

test('bins: upper edges inclusive, the top bin above the last edge, missing values in a bin of their own', () => {
  const edges = [1, 2, 3];
  assert.deepEqual(
    [0.5, 1, 1.5, 3, 9, NaN].map((v) => binOf(edges, v)),
    [0, 0, 1, 2, 3, 4],
  );
  assert.deepEqual(quantileEdges([5, 5, 5, 5]), [], 'a constant column has one bin');
  assert.deepEqual(quantileEdges([0, 0, 0, 1, 1]), [0], 'a flag has two');
});

test('the index by hand, and an empty bin does not make it infinite', () => {
  // train half/half, live 80/20: (0.8-0.5)ln(1.6) + (0.2-0.5)ln(0.4)
  const expected = 0.3 * Math.log(1.6) - 0.3 * Math.log(0.4);
  assert.ok(Math.abs(populationStabilityIndex([0.5, 0.5], [80, 20]) - expected) < 1e-12);
  assert.ok(Number.isFinite(populationStabilityIndex([1, 0], [50, 50])));
  assert.equal(populationStabilityIndex([0.5, 0.5], [0, 0]), 0, 'nothing seen live');
});

test('live traffic like the training data has an index near 0; a shifted one is above the 0.1 alert', () => {
  const random = new Random(7);
  const n = 20_000;
  const train = sample(random, n, 100, 0.1);
  const scores = Float64Array.from({ length: n }, (_, i) => Math.min(1, train[i * 2]! / 1000));
  const profile = buildDriftProfile(train, n, 2, ['amount', 'flag'], scores);
  const columnOf = (name: string): number => ['amount', 'flag'].indexOf(name);

  const same = new DriftMonitor('gbdt-1', profile, columnOf);
  const shifted = new DriftMonitor('gbdt-1', profile, columnOf);
  const like = sample(random, 10_000, 100, 0.1);
  const unlike = sample(random, 10_000, 180, 0.4);
  const start = 50 * HOUR;
  for (let i = 0; i < 10_000; i++) {
    const at = start + i * 1000;
    same.observe(like.subarray(i * 2, i * 2 + 2), Math.min(1, like[i * 2]! / 1000), at);
    shifted.observe(unlike.subarray(i * 2, i * 2 + 2), Math.min(1, unlike[i * 2]! / 1000), at);
  }
  const a = same.report(start + 10_000 * 1000);
  const b = shifted.report(start + 10_000 * 1000);
  assert.equal(a.observed, 10_000);
  for (const f of a.features)
    assert.ok(f.psi < 0.02, `${f.feature} PSI ${f.psi} on the training distribution`);
  assert.ok(a.score_psi < 0.02, `score PSI ${a.score_psi}`);
  for (const f of b.features) assert.ok(f.psi > 0.1, `${f.feature} PSI ${f.psi} after the shift`);
  assert.ok(b.score_psi > 0.1, `score PSI ${b.score_psi}`);
});

test('the window slides: traffic older than the window stops counting', () => {
  const random = new Random(8);
  const train = sample(random, 5000, 100, 0.1);
  const profile = buildDriftProfile(train, 5000, 2, ['amount', 'flag'], new Float64Array(5000));
  const monitor = new DriftMonitor('m', profile, (name) => ['amount', 'flag'].indexOf(name), 24 * HOUR);
  const shifted = sample(random, 1000, 500, 0.9);
  for (let i = 0; i < 1000; i++) monitor.observe(shifted.subarray(i * 2, i * 2 + 2), 0, 10 * HOUR + i);
  assert.ok(monitor.report(11 * HOUR).features[0]!.psi > 0.1);
  const like = sample(random, 1000, 100, 0.1);
  for (let i = 0; i < 1000; i++) monitor.observe(like.subarray(i * 2, i * 2 + 2), 0, 40 * HOUR + i);
  const later = monitor.report(40 * HOUR + 2000);
  assert.equal(later.observed, 1000, 'the shifted hour is 30 h old');
  assert.ok(later.features[0]!.psi < 0.1, `amount PSI ${later.features[0]!.psi}`);
  assert.equal(monitor.report(100 * HOUR).observed, 0, 'a quiet day empties the window');
});

test('history: the score index per hour slot, oldest first, only slots that counted decisions', () => {
  const random = new Random(12);
  const n = 20_000;
  const train = sample(random, n, 100, 0.1);
  const scoreOf = (X: Float64Array, i: number) => Math.min(1, X[i * 2]! / 1000);
  const profile = buildDriftProfile(
    train,
    n,
    2,
    ['amount', 'flag'],
    Float64Array.from({ length: n }, (_, i) => scoreOf(train, i)),
  );
  const monitor = new DriftMonitor('m', profile, (name) => ['amount', 'flag'].indexOf(name), 24 * HOUR);
  const feed = (X: Float64Array, hour: number) => {
    for (let i = 0; i < X.length / 2; i++)
      monitor.observe(X.subarray(i * 2, i * 2 + 2), scoreOf(X, i), hour * HOUR + i);
  };
  feed(sample(random, 3000, 100, 0.1), 100); // like training
  feed(sample(random, 2000, 100, 0.1), 102); // an hour with nothing between
  feed(sample(random, 3000, 400, 0.1), 103); // amounts four times larger
  const report = monitor.report(103 * HOUR + 1800_000);
  assert.deepEqual(
    report.history.map((p) => [p.start, p.decisions]),
    [
      [new Date(100 * HOUR).toISOString(), 3000],
      [new Date(102 * HOUR).toISOString(), 2000],
      [new Date(103 * HOUR).toISOString(), 3000],
    ],
  );
  const [first, second, shifted] = report.history;
  assert.ok(first!.score_psi < 0.05 && second!.score_psi < 0.05, `${first!.score_psi}, ${second!.score_psi}`);
  assert.ok(shifted!.score_psi > 0.25, `shifted hour: ${shifted!.score_psi}`);
  assert.ok(
    report.score_psi > first!.score_psi && report.score_psi < shifted!.score_psi,
    'the window mixes them',
  );
  // 23 hours later the first two hours have left the window; the shifted one is its oldest.
  feed(sample(random, 1000, 100, 0.1), 126);
  const later = monitor.report(126 * HOUR + 1);
  assert.deepEqual(
    later.history.map((p) => p.start),
    [new Date(103 * HOUR).toISOString(), new Date(126 * HOUR).toISOString()],
  );
  assert.equal(
    later.history.reduce((sum, p) => sum + p.decisions, 0),
    later.observed,
  );
  assert.deepEqual(monitor.report(200 * HOUR).history, [], 'a quiet day empties it');
});

test('a profile survives JSON and a bad one names its field', () => {
  const train = sample(new Random(9), 1000, 100, 0.2);
  const profile = buildDriftProfile(train, 1000, 2, ['amount', 'flag'], new Float64Array(1000));
  assert.deepEqual(driftProfileFromJSON(JSON.parse(JSON.stringify(profile))), profile);
  const bad = JSON.parse(JSON.stringify(profile));
  bad.columns[1].shares.pop();
  assert.throws(() => driftProfileFromJSON(bad), /drift_profile\.columns\[1\]\.shares/);
  assert.throws(
    () => new DriftMonitor('m', profile, () => -1),
    /feature amount is not in the feature vector/,
  );
});

test('a trained model carries the profile of its inputs and scores, and its own training rows do not drift', () => {
  const random = new Random(10);
  const n = 3000;
  const X = new Float64Array(n * FEATURE_COUNT).fill(NaN);
  for (let i = 0; i < n; i++) {
    for (const name of IFOREST_FEATURES) X[i * FEATURE_COUNT + FEATURE_NAMES.indexOf(name)] = random.normal();
  }
  const model = trainIsolationForest(X, n, 1);
  const profile = model.driftProfile!;
  assert.deepEqual(
    profile.columns.map((c) => c.name),
    [...IFOREST_FEATURES],
  );
  const reloaded = modelFromJSON(JSON.parse(JSON.stringify(model.toJSON())));
  assert.deepEqual(reloaded.driftProfile, profile, 'the profile survives the artifact');
  const monitor = new DriftMonitor(model.version, profile, (name) => FEATURE_NAMES.indexOf(name));
  for (let i = 0; i < n; i++) {
    const vector = X.subarray(i * FEATURE_COUNT, (i + 1) * FEATURE_COUNT);
    monitor.observe(vector, model.predict(vector), i);
  }
  const report = monitor.report(n);
  assert.ok(report.score_psi < 1e-9, `score PSI ${report.score_psi}`);
  for (const f of report.features) assert.ok(f.psi < 1e-9, `${f.feature} PSI ${f.psi}`);
});
