import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyLogistic, fitLogistic } from '../../src/models/calibration.ts';
import { Random } from '../../src/simulator/random.ts';

/** Rows whose true probability is σ(1.5·m − 4): an over-confident margin m that calibration must rescale. */
function synthetic(n: number, seed: number): { X: Float64Array; y: Uint8Array; truth: Float64Array } {
  const rng = new Random(seed);
  const X = new Float64Array(n);
  const y = new Uint8Array(n);
  const truth = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const m = rng.next() * 8 - 2;
    const p = 1 / (1 + Math.exp(-(1.5 * m - 4)));
    X[i] = m;
    truth[i] = p;
    y[i] = rng.next() < p ? 1 : 0;
  }
  return { X, y, truth };
}

test('calibration: on held-back rows, mean predicted probability matches the observed rate in every bin', () => {
  const fit = synthetic(20_000, 1);
  const map = fitLogistic(fit.X, 20_000, 1, fit.y);
  assert.ok(Math.abs(map.weights[0]! - 1.5) < 0.15, `slope ${map.weights[0]}`);
  const held = synthetic(40_000, 2);
  const bins = Array.from({ length: 10 }, () => ({ predicted: 0, observed: 0, n: 0 }));
  for (let i = 0; i < 40_000; i++) {
    const p = applyLogistic(map, [held.X[i]!]);
    const bin = bins[Math.min(9, Math.floor(p * 10))]!;
    bin.predicted += p;
    bin.observed += held.y[i]!;
    bin.n++;
  }
  for (const [i, bin] of bins.entries()) {
    if (bin.n < 300) continue;
    const predicted = bin.predicted / bin.n;
    const observed = bin.observed / bin.n;
    assert.ok(
      Math.abs(predicted - observed) < 0.05,
      `bin ${i}: predicted ${predicted.toFixed(3)}, observed ${observed.toFixed(3)} over ${bin.n} rows`,
    );
  }
});

test('calibration: weights on thinned negatives restore the true rate', () => {
  const all = synthetic(40_000, 3);
  // Keep every positive and one negative in 10, each kept negative weighing 10.
  const keep: number[] = [];
  let negatives = 0;
  for (let i = 0; i < all.y.length; i++) if (all.y[i] || negatives++ % 10 === 0) keep.push(i);
  const X = Float64Array.from(keep, (i) => all.X[i]!);
  const y = Uint8Array.from(keep, (i) => all.y[i]!);
  const unweighted = fitLogistic(X, keep.length, 1, y);
  const weighted = fitLogistic(
    X,
    keep.length,
    1,
    y,
    Float64Array.from(y, (label) => (label ? 1 : 10)),
  );
  const meanOf = (map: typeof weighted): number => {
    let s = 0;
    for (let i = 0; i < all.X.length; i++) s += applyLogistic(map, [all.X[i]!]);
    return s / all.X.length;
  };
  const rate = all.y.reduce((a, b) => a + b, 0) / all.y.length;
  assert.ok(Math.abs(meanOf(weighted) - rate) < 0.01, `weighted mean ${meanOf(weighted)} vs rate ${rate}`);
  assert.ok(meanOf(unweighted) > rate + 0.05, 'without the weights the thinned set over-states fraud');
});

test('calibration: a stacker weighs an informative second input, keeps the margin increasing, stays in (0,1)', () => {
  const rng = new Random(5);
  const n = 20_000;
  const X = new Float64Array(n * 2);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const fraud = rng.next() < 0.05;
    y[i] = fraud ? 1 : 0;
    X[i * 2] = rng.next() * 2 + (fraud ? 0.3 : 0); // a weak margin
    X[i * 2 + 1] = rng.next() * 0.4 + (fraud ? 0.35 : 0.3); // a strong anomaly score
  }
  const map = fitLogistic(X, n, 2, y);
  assert.ok(map.weights[0]! > 0, 'the margin never counts against fraud');
  assert.ok(map.weights[1]! > 3, `the anomaly score earns weight: ${map.weights[1]}`);
  const inverted = fitLogistic(
    Float64Array.from({ length: n }, (_, i) => -X[i * 2]!),
    n,
    1,
    y,
  );
  assert.ok(inverted.weights[0]! > 0, 'a margin that ranks backwards is held at a small positive weight');
  for (const inputs of [
    [1e6, 1],
    [-1e6, 0],
    [0, 1e9],
    [Number.MAX_VALUE, -Number.MAX_VALUE],
  ]) {
    const p = applyLogistic(map, inputs);
    assert.ok(p >= 0 && p <= 1, `${inputs}: ${p}`);
  }
  assert.deepEqual(fitLogistic(new Float64Array(3), 3, 1, new Uint8Array(3)), { weights: [1], intercept: 0 });
});
