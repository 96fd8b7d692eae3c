import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LatencyHistory } from '../../src/ops/latency-history.ts';

const T = Date.UTC(2026, 10, 30, 12, 0, 0);
const MIN = 60_000;

test('percentiles of a window are within one bin (9 %) of the exact ones', () => {
  const h = new LatencyHistory(undefined, T);
  // 1..1000 µs, one each: p50 = 500 µs, p99 = 990 µs
  for (let us = 1; us <= 1000; us++) h.record(T + (us % 10) * 1000, us / 1e6);
  const { count, values } = h.percentiles(T, T + MIN, [0.5, 0.99]);
  assert.equal(count, 1000);
  const [p50, p99] = values as number[];
  assert.ok(p50! >= 500e-6 && p50! <= 500e-6 * 1.1, `p50 ${p50}`);
  assert.ok(p99! >= 990e-6 && p99! <= 990e-6 * 1.1, `p99 ${p99}`);
});

test('windows select their five-minute periods; old periods are overwritten, not mixed in', () => {
  const h = new LatencyHistory(12, T); // one hour of five-minute slots
  h.record(T, 0.001); // 1 ms, now
  h.record(T - 30 * MIN, 0.1); // 100 ms, half an hour ago
  assert.equal(h.percentiles(T - 10 * MIN, T + MIN, [0.5]).count, 1);
  assert.ok(h.percentiles(T - 10 * MIN, T + MIN, [0.99]).values[0]! < 0.0011);
  assert.equal(h.percentiles(T - 60 * MIN, T + MIN, [0.5]).count, 2);
  // An hour later the ring wraps: the slot of T is reused and its old count dropped.
  h.record(T + 60 * MIN, 0.002);
  assert.equal(
    h.percentiles(T - 60 * MIN, T + 5 * MIN, [0.5]).count,
    1,
    'only the half-hour-old one remains',
  );
  assert.deepEqual(h.percentiles(T + 2 * 60 * MIN, T + 3 * 60 * MIN, [0.5]), { count: 0, values: [null] });
});

test('durations outside the bins land in the first or last one', () => {
  assert.equal(LatencyHistory.binOf(0), 0);
  assert.equal(LatencyHistory.binOf(-1), 0);
  assert.equal(LatencyHistory.binOf(3600), LatencyHistory.binOf(1e9));
});
