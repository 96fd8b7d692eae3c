import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FraudAccounts, MAX_FRAUD_LABELS } from '../../src/engine/features/fraud-accounts.ts';

/** Distinct accounts with a label in (t - w, t], counted the slow way. */
function naive(labels: [number, number][], t: number, w: number): number {
  return new Set(labels.filter(([at]) => at > t - w && at <= t).map(([, account]) => account)).size;
}

/** n labels added to a new FraudAccounts, times from `timeOf` (the i-th label and a random draw), accounts 1..k. */
function randomLabels(
  seed: number,
  n: number,
  accounts: number,
  timeOf: (i: number, draw: number) => number,
): { fa: FraudAccounts; labels: [number, number][] } {
  const fa = new FraudAccounts();
  const labels: [number, number][] = [];
  let state = seed;
  for (let i = 0; i < n; i++) {
    state = (state * 1103515245 + 12345) >>> 0;
    const at = timeOf(i, state);
    const account = 1 + (state % accounts);
    fa.add(at, account);
    labels.push([at, account]);
  }
  return { fa, labels };
}

test('distinct accounts match a set count at every window edge, accounts coming back', () => {
  const { fa, labels } = randomLabels(7, 100, 9, (i) => i * 10);
  for (const w of [1, 10, 35, 200, 5000]) {
    for (let t = -5; t < 1100; t += 5) assert.equal(fa.distinct(t, w), naive(labels, t, w), `t=${t} w=${w}`);
  }
});

test(`only the newest ${MAX_FRAUD_LABELS} labels are kept`, () => {
  const fa = new FraudAccounts();
  for (let i = 0; i < MAX_FRAUD_LABELS + 50; i++) fa.add(i, i + 1);
  assert.equal(fa.distinct(10_000, 1e9), MAX_FRAUD_LABELS);
});

test('account 0 (unknown) counts once per label', () => {
  const fa = new FraudAccounts();
  fa.add(1, 0);
  fa.add(2, 0);
  fa.add(3, 5);
  fa.add(4, 5);
  assert.equal(fa.distinct(4, 10), 3);
});

test('distinctTwo gives both windows of distinct in one pass', () => {
  const fa = new FraudAccounts();
  for (let i = 0; i < 60; i++) fa.add(i * 7, (i * 5) % 11);
  const out = new Float64Array(3);
  for (let t = 0; t < 500; t += 3) {
    fa.distinctTwo(t, 20, 90, out, 1);
    assert.deepEqual([out[1], out[2]], [fa.distinct(t, 20), fa.distinct(t, 90)], `t=${t}`);
  }
});

test('labels added out of time order still count each account once per window', () => {
  // any order, ties included
  const { fa, labels } = randomLabels(11, 80, 7, (_, draw) => (draw >>> 8) % 400);
  for (const w of [1, 15, 60, 1000]) {
    for (let t = -3; t < 420; t += 3) assert.equal(fa.distinct(t, w), naive(labels, t, w), `t=${t} w=${w}`);
  }
});

test("distinctTwo returns when the long window's oldest label became known, in any order of adding", () => {
  const { fa, labels } = randomLabels(5, 90, 6, (_, draw) => (draw >>> 8) % 500);
  const out = new Float64Array(2);
  for (let t = -3; t < 520; t += 3) {
    const inWindow = labels.map(([at]) => at).filter((at) => at > t - 60 && at <= t);
    const expected = inWindow.length === 0 ? NaN : Math.min(...inWindow);
    assert.equal(fa.distinctTwo(t, 10, 60, out, 0), expected, `t=${t}`);
  }
});
